import Vocabulary
import Foundation

/// A named float32 tensor read from or written to a checkpoint.
public struct NamedTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]
    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name; self.shape = shape; self.values = values
    }
}

/// Why a checkpoint could not be read; every case names the file.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case notACheckpoint(path: String)
    case unsupportedVersion(path: String, version: UInt32)
    case truncated(path: String, expected: Int, actual: Int)
    case corrupt(path: String, reason: String)
    case mismatch(path: String, field: String, checkpoint: String, expected: String)
    case missingTensor(path: String, name: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "\(p): cannot read checkpoint: \(r)"
        case .notACheckpoint(let p): "\(p): not a vsweep checkpoint (bad magic bytes)"
        case .unsupportedVersion(let p, let v):
            "\(p): checkpoint format version \(v) is not supported (this build reads version \(CheckpointFile.version)); was it written by a newer vsweep?"
        case .truncated(let p, let e, let a): "\(p): truncated checkpoint (\(a) bytes, expected \(e)); the write was probably interrupted"
        case .corrupt(let p, let r): "\(p): corrupt checkpoint: \(r)"
        case .mismatch(let p, let f, let c, let e): "\(p): checkpoint \(f) is \(c) but \(e) was expected"
        case .missingTensor(let p, let n): "\(p): checkpoint has no tensor \"\(n)\""
        }
    }
}

/// The versioned binary checkpoint container (little-endian):
///
///     magic   8 bytes  "VSWCKPT\0"
///     version u32      1
///     hlen    u32      length of the header
///     header  hlen     UTF-8 JSON: {"config": …, "meta": {…}, "tensors": [{"name","shape","count"}…]}
///     data             float32 values of each tensor, in header order
///     check   u64      FNV-1a-64 over 8-byte words of everything above
///
/// Files are written to a temporary name, fsynced and renamed, so a crash
/// mid-write never leaves a partial file under the final name.
public enum CheckpointFile {
    public static let magic: [UInt8] = Array("VSWCKPT".utf8) + [0]
    public static let version: UInt32 = 1

    struct TensorEntry: Codable { var name: String; var shape: [Int]; var count: Int }
    struct Header<Config: Codable>: Codable {
        var config: Config
        var meta: [String: String]
        var tensors: [TensorEntry]
    }

    public static func write<Config: Codable>(path: String, config: Config, meta: [String: String],
                                              tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)]) throws {
        let header = Header(config: config, meta: meta,
                            tensors: tensors.map { TensorEntry(name: $0.name, shape: $0.shape, count: $0.values.count) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let headerBytes = try encoder.encode(header)
        var data = Data()
        data.reserveCapacity(16 + headerBytes.count + tensors.reduce(0) { $0 + 4 * $1.values.count } + 8)
        data.append(contentsOf: magic)
        append(&data, version)
        append(&data, UInt32(headerBytes.count))
        data.append(headerBytes)
        for t in tensors {
            data.append(UnsafeBufferPointer(start: UnsafeRawPointer(t.values.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                            count: 4 * t.values.count))
        }
        append(&data, checksum(data))
        try atomicWrite(data, to: path)
    }

    /// Reads and verifies a checkpoint; returns its config, meta and tensors.
    public static func read<Config: Codable>(path: String, as: Config.Type) throws
        -> (config: Config, meta: [String: String], tensors: [NamedTensor]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CheckpointError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else {
            if bytes.count < 16 && bytes.count > 0 && magic.starts(with: bytes.prefix(8)) {
                throw CheckpointError.truncated(path: path, expected: 16, actual: bytes.count)
            }
            throw CheckpointError.notACheckpoint(path: path)
        }
        let v = u32(bytes, 8)
        guard v == version else { throw CheckpointError.unsupportedVersion(path: path, version: v) }
        let hlen = Int(u32(bytes, 12))
        guard bytes.count >= 16 + hlen + 8 else {
            throw CheckpointError.truncated(path: path, expected: 16 + hlen + 8, actual: bytes.count)
        }
        let header: Header<Config>
        do { header = try JSONDecoder().decode(Header<Config>.self, from: Data(bytes[16..<(16 + hlen)])) } catch {
            throw CheckpointError.corrupt(path: path, reason: "unreadable header (\(error))")
        }
        let dataBytes = header.tensors.reduce(0) { $0 + 4 * $1.count }
        let expected = 16 + hlen + dataBytes + 8
        guard bytes.count >= expected else { throw CheckpointError.truncated(path: path, expected: expected, actual: bytes.count) }
        guard bytes.count == expected else {
            throw CheckpointError.corrupt(path: path, reason: "\(bytes.count - expected) unexpected trailing bytes")
        }
        let stored = u64(bytes, expected - 8)
        let actual = data.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[0..<(expected - 8)])) }
        guard stored == actual else { throw CheckpointError.corrupt(path: path, reason: "checksum mismatch") }
        var tensors: [NamedTensor] = []
        var offset = 16 + hlen
        for e in header.tensors {
            guard e.shape.reduce(1, *) == e.count else {
                throw CheckpointError.corrupt(path: path, reason: "tensor \(e.name) shape \(e.shape) does not hold \(e.count) values")
            }
            let values = data.withUnsafeBytes { raw in
                [Float](unsafeUninitializedCapacity: e.count) { buf, n in
                    memcpy(buf.baseAddress!, raw.baseAddress! + offset, 4 * e.count)
                    n = e.count
                }
            }
            tensors.append(NamedTensor(name: e.name, shape: e.shape, values: values))
            offset += 4 * e.count
        }
        return (header.config, header.meta, tensors)
    }

    // MARK: helpers

    static func append<T: FixedWidthInteger>(_ data: inout Data, _ x: T) {
        withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) }
    }

    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[i + $1]) << (8 * UInt64($1)) }
    }

    static func checksum(_ data: Data) -> UInt64 { data.withUnsafeBytes { checksum($0) } }

    /// FNV-1a-64 applied to little-endian 8-byte words (then the tail bytes).
    static func checksum(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        FNV1a64.hashWords(raw)
    }

    static func atomicWrite(_ data: Data, to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CheckpointError.unreadable(path: path, reason: "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = data.withUnsafeBytes { raw -> Bool in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(tmp)
            throw CheckpointError.unreadable(path: path, reason: "cannot write: \(reason)")
        }
    }
}
