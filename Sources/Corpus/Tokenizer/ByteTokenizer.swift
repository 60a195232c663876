// The byte-level tokenizer of the vsweep GPT: a token is one UTF-8 byte (V = 256).
//
// There are no special tokens. Everything the model must recognise (the prompt
// markers "Q: ", "\nA: ", the final-answer marker "#### ", document separators)
// is spelled in plain bytes; see `PromptFormat`.

/// Encodes text as its UTF-8 bytes and decodes bytes back to text.
///
/// Contract: `decode(encode(s)) == s` for every string; `encode` never fails and
/// every token id is in `0..<256`. `decode` of a byte sequence that is not valid
/// UTF-8 (a model can emit one) replaces each bad sequence with U+FFFD instead of
/// failing, so decoded model output is always printable.
public enum ByteTokenizer {
    /// Size of the vocabulary: one token per byte value.
    public static let vocabularySize = 256

    public static func encode(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }

    /// Token ids as `Int32`, the element type the learner's input buffers use.
    public static func encodeIDs(_ text: String) -> [Int32] {
        text.utf8.map { Int32($0) }
    }

    public static func decode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        String(decoding: Array(bytes), as: UTF8.self)
    }

    /// Decodes token ids; ids outside `0..<256` are a caller bug (the model's
    /// vocabulary has exactly 256 entries), so they are checked with a precondition.
    public static func decodeIDs<S: Sequence>(_ ids: S) -> String where S.Element == Int32 {
        let bytes = ids.map { id -> UInt8 in
            precondition(id >= 0 && id < 256, "token id \(id) outside the byte vocabulary 0..<256")
            return UInt8(id)
        }
        return decode(bytes)
    }
}
