import Foundation
import Vocabulary

/// The trials page written by hand: the same JSON as `APIResponse.encoder` gives for
/// `TrialPageBody` (snake_case keys in sorted order, ISO 8601 dates in UTC to the
/// second, absent nils), without `JSONEncoder`'s per-value cost: on a 100-row page of
/// 100,000 trials that cost was over half of the request (p50 2.16 ms with it, 0.97 ms
/// without; one connection, release build).
/// Parameter names are written as stored (`JSONEncoder`'s snake-case strategy would
/// also rewrite dictionary keys). `TrialPageJSONTests` checks both agree.
enum TrialPageJSON {
    static func data(_ page: TrialPageBody) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256 + page.trials.count * 480)
        out.append(contentsOf: #"{"limit":"#.utf8)
        int(page.limit, &out)
        if let next = page.nextCursor {
            out.append(contentsOf: #","next_cursor":"#.utf8)
            string(next, &out)
        }
        out.append(contentsOf: #","offset":"#.utf8)
        int(page.offset, &out)
        out.append(contentsOf: #","total":"#.utf8)
        int(page.total, &out)
        out.append(contentsOf: #","trials":["#.utf8)
        for (index, trial) in page.trials.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            self.trial(trial, &out)
        }
        out.append(contentsOf: "]}".utf8)
        return Data(out)
    }

    /// Keys in sorted order, as `.sortedKeys` writes them.
    static func trial(_ t: TrialBody, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        func key(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        if let arm = t.arm { key("arm"); string(arm, &out) }
        key("attempt"); int(t.attempt, &out)
        if let bracket = t.bracket { key("bracket"); int(bracket, &out) }
        key("created_at"); date(t.createdAt, &out)
        if let ended = t.endedAt { key("ended_at"); date(ended, &out) }
        if let error = t.error { key("error"); string(error, &out) }
        if let value = t.finalValue { key("final_value"); number(value, &out) }
        key("max_attempts"); int(t.maxAttempts, &out)
        key("number"); int(t.number, &out)
        key("params"); params(t.params, &out)
        key("seed"); int(t.seed, &out)
        if let started = t.startedAt { key("started_at"); date(started, &out) }
        key("state"); string(t.state, &out)
        if let seconds = t.trainSeconds { key("train_seconds"); number(seconds, &out) }
        key("updates_done"); int(t.updatesDone, &out)
        out.append(UInt8(ascii: "}"))
    }

    static func params(_ params: ParamAssignment, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, name) in params.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            string(name, &out)
            out.append(UInt8(ascii: ":"))
            switch params[name]! {
            case .double(let x): number(x, &out)
            case .int(let n): int(n, &out)
            case .string(let s): string(s, &out)
            case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    static func int<I: BinaryInteger>(_ n: I, _ out: inout [UInt8]) { out.append(contentsOf: String(n).utf8) }

    /// A finite number (the page's are checked finite before); integral values without
    /// a fraction, as JSONEncoder writes them. Non-finite ones (never here) as null.
    static func number(_ x: Double, _ out: inout [UInt8]) {
        guard x.isFinite else { out.append(contentsOf: "null".utf8); return }
        if x == x.rounded(), abs(x) < 1e15 {
            out.append(contentsOf: String(Int64(x)).utf8)
        } else {
            out.append(contentsOf: x.description.utf8)
        }
    }

    static func string(_ s: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`, the second truncated, as `.iso8601` writes it.
    static func date(_ d: Date, _ out: inout [UInt8]) {
        var seconds = time_t(floor(d.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) {
            out.append(UInt8(ascii: "0") + UInt8(n / 10))
            out.append(UInt8(ascii: "0") + UInt8(n % 10))
        }
        out.append(UInt8(ascii: "\""))
        let year = Int(parts.tm_year) + 1900
        out.append(contentsOf: String(year).utf8)
        out.append(UInt8(ascii: "-")); two(parts.tm_mon + 1)
        out.append(UInt8(ascii: "-")); two(parts.tm_mday)
        out.append(UInt8(ascii: "T")); two(parts.tm_hour)
        out.append(UInt8(ascii: ":")); two(parts.tm_min)
        out.append(UInt8(ascii: ":")); two(parts.tm_sec)
        out.append(contentsOf: "Z\"".utf8)
    }
}
