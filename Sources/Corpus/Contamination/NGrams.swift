/// Word n-grams for contamination checks.
///
/// Normalisation: lowercase; every character that is not a letter or a digit
/// is a word break (so punctuation, `$`, `%`, newlines and repeated spaces do
/// not matter, and "3.50" is the two words "3" "50"). An n-gram is n
/// consecutive words, hashed with FNV-1a 64 over the words joined by one space.
/// A text with fewer than n words (but at least one) has a single n-gram: all
/// its words. Hash collisions (about k²/2⁶⁵ for k distinct grams) are ignored.
public enum NGrams {
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber {
                current.append(ch)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The n-grams of `text` as (hash, gram text) pairs, in order; a text with
    /// fewer than n (but at least one) words gives one gram of all its words.
    /// This is how eval questions are indexed.
    public static func grams(_ text: String, n: Int) -> [(hash: UInt64, text: String)] {
        let w = words(text)
        guard !w.isEmpty else { return [] }
        return exactGrams(w, length: min(n, w.count))
    }

    /// All runs of exactly `length` consecutive words (none if there are fewer).
    /// Documents are scanned with these, for each gram length the index holds.
    static func exactGrams(_ words: [String], length: Int) -> [(hash: UInt64, text: String)] {
        guard length >= 1, words.count >= length else { return [] }
        return (0...(words.count - length)).map { i in
            let joined = words[i..<(i + length)].joined(separator: " ")
            return (FNV1a64.hash(joined), joined)
        }
    }
}
