import Vocabulary

/// N-gram overlap between unlabeled documents and eval questions, the check
/// behind the article's decontamination control.
///
/// A document is flagged iff it shares at least one word n-gram (see `NGrams`,
/// default n = 8) with at least one eval question. `decontaminate` drops
/// exactly the flagged documents and keeps the order of the rest.
public enum Contamination {
    public static let defaultN = 8

    public static func report<D>(_ documents: [D], id: (D) -> String, text: (D) -> String,
                                 against questions: [EvalQuestion], n: Int = defaultN,
                                 maxExamples: Int = 20) -> ContaminationReport {
        let index = GramIndex(questions, n: n)
        var flagged: [String] = []
        var examples: [ContaminationHit] = []
        var hitQuestions = Set<Int>()
        for doc in documents {
            let words = NGrams.words(text(doc))
            let hits = index.hits(in: words)
            guard let first = hits.first else { continue }
            for hit in hits { hitQuestions.formUnion(hit.questions) }
            flagged.append(id(doc))
            if examples.count < maxExamples {
                let q = questions[first.questions[0]]
                let gram = words[first.start..<(first.start + first.length)].joined(separator: " ")
                examples.append(ContaminationHit(documentID: id(doc), questionID: q.id, split: q.split, ngram: gram))
            }
        }
        var perSplit: [String: Int] = [:]
        for q in questions { perSplit[q.split] = 0 }
        for i in hitQuestions { perSplit[questions[i].split, default: 0] += 1 }
        return ContaminationReport(
            n: n, documentsChecked: documents.count, documentsFlagged: flagged.count,
            questionsChecked: questions.count, questionsHit: perSplit,
            flaggedDocumentIDs: flagged, examples: examples)
    }

    /// The documents that share no n-gram with any question, in their order.
    public static func decontaminate<D>(_ documents: [D], text: (D) -> String,
                                        against questions: [EvalQuestion], n: Int = defaultN) -> [D] {
        let index = GramIndex(questions, n: n)
        return documents.filter { !index.contains(in: NGrams.words(text($0))) }
    }

    /// CoT documents are checked by their training text (problem, solution, answer).
    public static func report(_ docs: [MathDocument], against questions: [EvalQuestion], n: Int = defaultN,
                              maxExamples: Int = 20) -> ContaminationReport {
        report(docs, id: \.id, text: PromptFormat.trainingText, against: questions, n: n, maxExamples: maxExamples)
    }

    public static func report(_ docs: [TextDocument], against questions: [EvalQuestion], n: Int = defaultN,
                              maxExamples: Int = 20) -> ContaminationReport {
        report(docs, id: \.id, text: \.text, against: questions, n: n, maxExamples: maxExamples)
    }
}

/// Question grams keyed by word count, then gram hash → question indices.
/// Short questions index a gram shorter than n, so documents are scanned for
/// every gram length the index holds (usually just n).
private struct GramIndex {
    struct Hit {
        var start: Int
        var length: Int
        var questions: [Int]
    }

    private var byLength: [Int: [UInt64: [Int]]] = [:]
    private let lengths: [Int]

    init(_ questions: [EvalQuestion], n: Int) {
        for (i, q) in questions.enumerated() {
            let words = NGrams.words(q.text)
            guard !words.isEmpty else { continue }
            let length = min(n, words.count)
            for hash in NGrams.gramHashes(words.map(FNV1a64.hash), length: length)
            where byLength[length]?[hash]?.last != i {
                byLength[length, default: [:]][hash, default: []].append(i)
            }
        }
        lengths = byLength.keys.sorted()
    }

    /// Every gram of `words` that some question holds.
    func hits(in words: [String]) -> [Hit] {
        let wordHashes = words.map(FNV1a64.hash)
        var out: [Hit] = []
        for length in lengths {
            let table = byLength[length]!
            for (start, hash) in NGrams.gramHashes(wordHashes, length: length).enumerated() {
                if let owners = table[hash] { out.append(Hit(start: start, length: length, questions: owners)) }
            }
        }
        return out
    }

    func contains(in words: [String]) -> Bool {
        let wordHashes = words.map(FNV1a64.hash)
        return lengths.contains { length in
            let table = byLength[length]!
            return NGrams.gramHashes(wordHashes, length: length).contains { table[$0] != nil }
        }
    }
}
