/// What `DatasetBuilder.write` / `DatasetImporter.write` return for printing.
public struct DatasetSummary: Sendable {
    public var directory: String
    public var manifest: DatasetManifest
    /// Contamination before filtering, keyed by "base" and "cot".
    public var contamination: [String: ContaminationReport]
    /// Prompt + completion lengths of the validation split (bytes).
    public var promptLengths: PromptLengthStatistics
    /// Generation (or import) time, files included; reported, never stored.
    public var seconds: Double
}
