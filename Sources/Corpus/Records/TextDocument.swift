/// One unlabeled plain-text document (base corpus, or an imported text file).
///
/// JSONL shape: `{"id": "...", "text": "..."}`.
public struct TextDocument: Codable, Sendable, Equatable {
    public var id: String
    public var text: String

    public init(id: String, text: String) {
        self.id = id
        self.text = text
    }
}
