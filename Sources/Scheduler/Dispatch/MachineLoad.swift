import Foundation

/// The machine's load as the scheduler records it next to each attempt: the 1-minute
/// load average of `/proc/loadavg` (runnable + uninterruptible tasks, exponentially
/// averaged by the kernel). Wall-clock comparisons are only fair when arms saw the
/// same load; the comparison report warns when they did not.
public enum MachineLoad {
    /// nil where `/proc/loadavg` is missing or unreadable (not Linux).
    public static func oneMinuteAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return parse(text)
    }

    /// The first field of a `/proc/loadavg` line ("0.52 0.58 0.59 1/467 12345").
    public static func parse(_ text: String) -> Double? {
        guard let field = text.split(separator: " ").first, let value = Double(field),
              value.isFinite, value >= 0 else { return nil }
        return value
    }
}
