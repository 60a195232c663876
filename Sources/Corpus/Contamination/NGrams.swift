import Vocabulary

/// Word n-grams for contamination checks.
///
/// Normalisation: lowercase; every character that is not a letter or a digit
/// is a word break (so punctuation, `$`, `%`, newlines and repeated spaces do
/// not matter, and "3.50" is the two words "3" "50"). Each word is hashed once
/// with FNV-1a 64; an n-gram's hash combines its n word hashes FNV-style,
/// h = offset; for each word hash w: h = (h XOR w)·prime, so scanning a
/// document builds no strings. A text with fewer than n (but at least one)
/// words has one gram of all its words. Hash collisions (about k²/2⁶⁵ for k
/// distinct grams) are ignored.
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
    public static func grams(_ text: String, n: Int) -> [(hash: UInt64, text: String)] {
        let w = words(text)
        guard !w.isEmpty else { return [] }
        let length = min(n, w.count)
        let hashes = gramHashes(w.map(FNV1a64.hash), length: length)
        return hashes.indices.map { i in (hashes[i], w[i..<(i + length)].joined(separator: " ")) }
    }

    /// Hash of every run of exactly `length` consecutive words, by start
    /// position (empty if there are fewer words).
    static func gramHashes(_ wordHashes: [UInt64], length: Int) -> [UInt64] {
        guard length >= 1, wordHashes.count >= length else { return [] }
        return (0...(wordHashes.count - length)).map { start in
            var h = FNV1a64.offsetBasis
            for w in wordHashes[start..<(start + length)] {
                h = (h ^ w) &* FNV1a64.prime
            }
            return h
        }
    }
}
