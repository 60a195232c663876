import Foundation

/// A progress bar on a terminal (stderr), plain lines every 10% otherwise.
final class ProgressBar {
    let label: String
    let isTTY = isatty(STDERR_FILENO) == 1
    var lastDecile = -1

    init(label: String) { self.label = label }

    func update(step: Int, total: Int, detail: String, seconds: Double) {
        let fraction = Double(step) / Double(max(total, 1))
        let eta = step > 0 ? seconds / Double(step) * Double(total - step) : 0
        if isTTY {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = String(format: "\r%@ [%@] %d/%d %@ %.0fs, eta %.0fs ", label, bar, step, total, detail, seconds, eta)
            try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
        } else {
            let decile = Int(fraction * 10)
            if decile != lastDecile {
                lastDecile = decile
                log(String(format: "%@: %d/%d %@ (%.0fs, eta %.0fs)", label, step, total, detail, seconds, eta))
            }
        }
    }

    func finish() { if isTTY { try? FileHandle.standardError.write(contentsOf: Data("\n".utf8)) } }
}
