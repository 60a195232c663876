/// Where the dispatcher's parts send plain log lines; nothing is formatted while no
/// one listens.
final class LogSink {
    var onLog: ((SweepRunner.LogLevel, String) -> Void)?

    func callAsFunction(_ level: SweepRunner.LogLevel, _ message: @autoclosure () -> String) {
        guard let onLog else { return }
        onLog(level, message())
    }
}
