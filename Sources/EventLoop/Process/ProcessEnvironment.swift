#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment of this process, for building a `Command`'s exact environment.
public enum ProcessEnvironment {
    /// This process's environment (`environ`), read now. Entries without `=` are skipped.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let key = String(text[..<equals])
                // The first definition wins, as getenv does.
                if result[key] == nil { result[key] = String(text[text.index(after: equals)...]) }
            }
            cursor += 1
        }
        return result
    }

    /// Our environment with `overrides` applied on top (e.g. `OPENBLAS_NUM_THREADS`,
    /// `CUDA_VISIBLE_DEVICES`); keys in `removing` are dropped.
    public static func current(merging overrides: [String: String],
                               removing removed: Set<String> = []) -> [String: String] {
        var result = current().merging(overrides) { _, new in new }
        for key in removed { result[key] = nil }
        return result
    }
}
