import Vocabulary
import Foundation

/// One written file: size, line count and FNV-1a 64 of its bytes.
public struct ManifestFile: Codable, Sendable, Equatable {
    public var name: String
    public var bytes: Int
    public var lines: Int
    /// FNV-1a 64 of the file's bytes, 16 hex digits (not a cryptographic hash).
    public var fnv1a64: String

    public init(name: String, data: Data) {
        self.name = name
        bytes = data.count
        lines = data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        fnv1a64 = FNV1a64.hex(FNV1a64.hash(data))
    }
}

/// `manifest.json`: how a dataset directory was made and what it holds. It
/// holds no time stamps, so the same options write the same manifest.
public struct DatasetManifest: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    /// "generated" or "imported".
    public var source: String
    /// Options of a generated dataset.
    public var options: DatasetOptions?
    /// Options of an imported dataset.
    public var importOptions: DatasetImportOptions?
    /// Records per file name.
    public var counts: [String: Int]
    /// Ids of the deliberately injected CoT documents (`contaminate`).
    public var injectedDocumentIDs: [String]
    /// Documents dropped by decontamination, per file name.
    public var removedByDecontamination: [String: Int]
    /// Bad input lines skipped on import (`skipBad`), as "path:line: problem".
    public var skippedLines: [String]
    /// Every data file except the manifest itself, in name order.
    public var files: [ManifestFile]
}
