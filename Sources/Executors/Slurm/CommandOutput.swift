import EventLoop
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a short helper command (sbatch, squeue, sacct, scancel) printed and how it
/// ended. Lines are kept whole; such commands print little.
public struct CommandOutput: Equatable, Sendable {
    public var stdout: [String]
    public var stderr: [String]
    public var exit: ProcessExit

    public init(stdout: [String], stderr: [String], exit: ProcessExit) {
        self.stdout = stdout
        self.stderr = stderr
        self.exit = exit
    }

    /// The command and its stderr, for error messages.
    func failure(_ command: Command) -> String {
        let said = stderr.joined(separator: " ").trimmingWhitespace()
        return "\(command.argv.joined(separator: " ")) \(exit)" + (said.isEmpty ? "" : ": \(said)")
    }
}

/// Runs helper commands to completion, either on the caller's loop (the answer comes
/// in a callback, nothing blocks) or on a private loop (the call blocks until the
/// command ends or its timeout passes; for the few places that need an answer at once).
public enum CommandRunner {
    /// Starts `command` on `loop`; `completion` runs once, on the loop thread, when it
    /// has ended and both pipes are drained. Throws when it cannot be started.
    public static func start(on loop: Loop, _ command: Command,
                             completion: @escaping (CommandOutput) -> Void) throws {
        _ = try spawn(on: loop, command, completion: completion)
    }

    /// Runs `command` on a private loop and waits for it. After `timeout` its process
    /// group is killed and `CommandTimeout` thrown, so a hung cluster command cannot
    /// hang the scheduler.
    public static func run(_ command: Command, timeout: Duration) throws -> CommandOutput {
        let loop = try Loop()
        var output: CommandOutput?
        let process = try spawn(on: loop, command) { output = $0 }
        var timedOut = false
        let timer = try LoopTimer(loop: loop)
        try timer.start(after: timeout) {
            timedOut = true
            _ = try? process.terminate(signal: SIGKILL)
        }
        loop.run(until: { output != nil })
        timer.cancel()
        guard let output, !timedOut else {
            throw CommandTimeout(command: command.argv, seconds: Double(timeout.components.seconds))
        }
        return output
    }

    private static func spawn(on loop: Loop, _ command: Command,
                              completion: @escaping (CommandOutput) -> Void) throws -> ChildProcess {
        let process = try ChildProcess.spawn(on: loop, command, maxLineBytes: 64 * 1024)
        let collected = Collected()
        process.onStdoutLine = { collected.stdout.append(String(decoding: $0, as: UTF8.self)) }
        process.onStderrLine = { collected.stderr.append(String(decoding: $0, as: UTF8.self)) }
        process.onExit = { exit in
            completion(CommandOutput(stdout: collected.stdout, stderr: collected.stderr, exit: exit))
        }
        return process
    }

    private final class Collected {
        var stdout: [String] = []
        var stderr: [String] = []
    }
}

/// A helper command that did not end within its time limit.
public struct CommandTimeout: Error, Equatable, Sendable, CustomStringConvertible {
    public var command: [String]
    public var seconds: Double

    public var description: String {
        "\(command.joined(separator: " ")) did not finish within \(seconds) s and was killed"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
