/// One verifiable downstream example in the GSM8K shape.
///
/// JSONL shape: `{"id","question","answer","family"}` where `answer` is the
/// worked answer: reasoning lines, then a last line `#### N`, exactly as GSM8K.
/// `finalAnswer` is not stored; it is recomputed from `answer` with
/// `AnswerExtraction.finalAnswer(in:)` so the two can never disagree.
public struct DownstreamExample: Sendable, Equatable {
    public var id: String
    public var question: String
    /// Reasoning lines followed by `#### N`.
    public var answer: String
    /// The normalised final answer (`AnswerExtraction.finalAnswer(in: answer)`).
    public var finalAnswer: String
    public var family: String

    public init(id: String, question: String, answer: String, finalAnswer: String, family: String) {
        self.id = id
        self.question = question
        self.answer = answer
        self.finalAnswer = finalAnswer
        self.family = family
    }
}

extension DownstreamExample: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, question, answer, family
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let answer = try c.decode(String.self, forKey: .answer)
        guard let final = AnswerExtraction.finalAnswer(in: answer) else {
            throw DecodingError.dataCorruptedError(
                forKey: .answer, in: c, debugDescription: "answer has no '#### N' line")
        }
        self.init(
            id: try c.decode(String.self, forKey: .id),
            question: try c.decode(String.self, forKey: .question),
            answer: answer,
            finalAnswer: final,
            family: try c.decodeIfPresent(String.self, forKey: .family) ?? "")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(question, forKey: .question)
        try c.encode(answer, forKey: .answer)
        try c.encode(family, forKey: .family)
    }
}
