/// Reads GSM8K-format JSON Lines: `{"question": "...", "answer": "... #### N"}`.
///
/// Required: `question` (non-empty string) and `answer` (string with a
/// `####` line; the final answer is `AnswerExtraction.finalAnswer(in:)` of it,
/// e.g. `#### 1,234` → `1234`). Optional: `id` (else `<file name>:<line>`),
/// `family` (else "gsm8k"). Other fields are ignored. Also reads the
/// project's own feedback/validation/test files, which are in this format.
public enum GSM8KImporter {
    public static func load(path: String, skipBad: Bool = false) throws -> ImportResult<DownstreamExample> {
        let name = JSONLineReader.fileName(path)
        return try JSONLineReader.read(path, skipBad: skipBad) { object, line in
            let question = try JSONLineReader.string(object, "question")
            let answer = try JSONLineReader.string(object, "answer")
            guard let final = AnswerExtraction.finalAnswer(in: answer) else {
                throw LineProblem("field 'answer' has no '#### N' final-answer line")
            }
            return DownstreamExample(
                id: JSONLineReader.optionalText(object, "id") ?? "\(name):\(line)",
                question: question, answer: answer, finalAnswer: final,
                family: JSONLineReader.optionalText(object, "family") ?? "gsm8k")
        }
    }
}
