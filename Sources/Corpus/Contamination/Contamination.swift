/// A question the unlabeled corpus must not contain: an id, the split it
/// belongs to, and its text.
public struct EvalQuestion: Sendable, Equatable {
    public var id: String
    public var split: String
    public var text: String

    public init(id: String, split: String, text: String) {
        self.id = id
        self.split = split
        self.text = text
    }

    public init(_ example: DownstreamExample, split: String) {
        self.init(id: example.id, split: split, text: example.question)
    }
}

/// One hit: an unlabeled document sharing an n-gram with an eval question.
public struct ContaminationHit: Codable, Sendable, Equatable {
    public var documentID: String
    public var questionID: String
    public var split: String
    public var ngram: String
}

/// What `Contamination.report` found.
public struct ContaminationReport: Codable, Sendable, Equatable {
    public var n: Int
    public var documentsChecked: Int
    public var documentsFlagged: Int
    public var questionsChecked: Int
    /// Eval questions with at least one n-gram in some document, per split.
    public var questionsHit: [String: Int]
    /// Ids of every flagged document, in corpus order.
    public var flaggedDocumentIDs: [String]
    /// The first hits (one per flagged document), up to `maxExamples`.
    public var examples: [ContaminationHit]
}

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
        let index = buildIndex(questions, n: n)
        var flagged: [String] = []
        var examples: [ContaminationHit] = []
        var hitQuestions = Set<Int>()
        for doc in documents {
            var docFlagged = false
            for gram in index.documentGrams(text(doc)) {
                guard let owners = index.owners(gram) else { continue }
                hitQuestions.formUnion(owners)
                if !docFlagged {
                    docFlagged = true
                    flagged.append(id(doc))
                    if examples.count < maxExamples {
                        let q = questions[owners[0]]
                        examples.append(ContaminationHit(documentID: id(doc), questionID: q.id, split: q.split, ngram: gram.text))
                    }
                }
            }
        }
        var perSplit: [String: Int] = [:]
        for q in questions { perSplit[q.split, default: 0] += 0 }
        for i in hitQuestions { perSplit[questions[i].split, default: 0] += 1 }
        return ContaminationReport(
            n: n, documentsChecked: documents.count, documentsFlagged: flagged.count,
            questionsChecked: questions.count, questionsHit: perSplit,
            flaggedDocumentIDs: flagged, examples: examples)
    }

    /// The documents that share no n-gram with any question, in their order.
    public static func decontaminate<D>(_ documents: [D], text: (D) -> String,
                                        against questions: [EvalQuestion], n: Int = defaultN) -> [D] {
        let index = buildIndex(questions, n: n)
        return documents.filter { doc in
            !index.documentGrams(text(doc)).contains { index.owners($0) != nil }
        }
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

    private static func buildIndex(_ questions: [EvalQuestion], n: Int) -> GramIndex {
        var index = GramIndex()
        for (i, q) in questions.enumerated() {
            let w = NGrams.words(q.text)
            guard !w.isEmpty else { continue }
            let length = min(n, w.count)
            for gram in NGrams.exactGrams(w, length: length) {
                index.insert(gram.hash, length: length, question: i)
            }
        }
        return index
    }
}

/// Question grams keyed by word count, then hash → question indices. Short
/// questions index a gram shorter than n, so documents are scanned for every
/// gram length the index holds (usually just n).
private struct GramIndex {
    private var byLength: [Int: [UInt64: [Int]]] = [:]

    mutating func insert(_ hash: UInt64, length: Int, question: Int) {
        if byLength[length]?[hash]?.last == question { return }
        byLength[length, default: [:]][hash, default: []].append(question)
    }

    func owners(_ gram: (length: Int, hash: UInt64, text: String)) -> [Int]? {
        byLength[gram.length]?[gram.hash]
    }

    func documentGrams(_ text: String) -> [(length: Int, hash: UInt64, text: String)] {
        let w = NGrams.words(text)
        return byLength.keys.sorted().flatMap { length in
            NGrams.exactGrams(w, length: length).map { (length, $0.hash, $0.text) }
        }
    }
}
