import Foundation
import Scheduler
import SweepStore

/// The live view of a running sweep. On a terminal: log lines scroll above a status
/// block (trials by state, best so far, running trials with step/rung/value, ETA)
/// redrawn in place about once a second. Otherwise: the log lines, plus the status
/// headline once a minute, so a redirected log stays readable.
final class LiveView {
    private let output: FileHandle
    private let isTTY: Bool
    private let quiet: Bool
    private var drawnLines = 0
    private var lastPlainStatus: Double = 0
    private var block: [String] = []

    /// `toStandardError`: when stdout carries data (`compare --format csv|json`).
    init(quiet: Bool, toStandardError: Bool = false) {
        self.quiet = quiet
        output = toStandardError ? .standardError : .standardOutput
        isTTY = isatty(output.fileDescriptor) == 1
    }

    /// Attaches to a runner before it runs: log lines and progress snapshots.
    func attach(to runner: SweepRunner) {
        runner.onLog = { [unowned self] level, message in
            if quiet && level == .report { return }
            self.log(message)
        }
        runner.onProgress = { [unowned self, unowned runner] progress in
            self.update(progress, spec: runner.spec)
        }
    }

    func log(_ message: String) {
        clearBlock()
        write(message + "\n")
        drawBlock()
    }

    /// Leaves the last status block on screen (a terminal) and stops redrawing.
    func finish() {
        drawnLines = 0
        block = []
    }

    private func update(_ progress: SweepProgress, spec: SweepSpec) {
        // The dispatcher keeps the counts: nothing here reads the store.
        let summary = SweepStatusSummary(spec: spec, progress: progress)
        if isTTY {
            clearBlock()
            block = summary.lines
            drawBlock()
        } else if progress.elapsedSeconds - lastPlainStatus >= 60 {
            lastPlainStatus = progress.elapsedSeconds
            write("status: " + summary.lines[0] + "\n")
        }
    }

    private func clearBlock() {
        guard isTTY, drawnLines > 0 else { return }
        // Up to the block's first line, then erase to the end of the screen.
        write("\u{1B}[\(drawnLines)F\u{1B}[J")
        drawnLines = 0
    }

    private func drawBlock() {
        guard isTTY, !block.isEmpty else { return }
        let width = terminalColumns()
        // Lines cut to the width: a wrapped line would break the cursor-up count.
        let text = block.map { String($0.prefix(max(10, width - 1))) }.joined(separator: "\n") + "\n"
        write("\u{1B}[2m" + text + "\u{1B}[0m")
        drawnLines = block.count
    }

    private func write(_ text: String) {
        try? output.write(contentsOf: Data(text.utf8))
    }

    private func terminalColumns() -> Int {
        var size = winsize()
        if ioctl(output.fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }
}
