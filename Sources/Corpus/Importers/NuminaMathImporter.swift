import Foundation

/// Reads NuminaMath-CoT-format JSON Lines into `MathDocument`s.
///
/// Accepted shapes, tried in this order:
/// 1. `{"problem": "...", "solution": "..."}` (both non-empty strings);
/// 2. `{"messages": [{"role": "user", "content": "..."}, {"role": "assistant",
///    "content": "..."}, ...]}`: the first `user` message is the problem, the
///    first `assistant` message after it is the solution.
/// A line with neither is an error ("missing field 'problem' (and no
/// 'messages')"), as is a `messages` value that is not a list of
/// `{role, content}` objects or lacks the user/assistant pair.
///
/// Final answer: the `answer` field when present and non-empty (the project's
/// own cot.jsonl has one); else the content of the **last** `\boxed{…}` in
/// the solution (nested braces balanced); else the last number in the
/// solution (digits with optional sign, commas and decimal point, normalised
/// as in `AnswerExtraction`); else "" (proofs and the like are kept as
/// unlabeled text with no answer line). Optional: `id` (else
/// `<file name>:<line>`), `family`, else `source`, else "numina".
public enum NuminaMathImporter {
    public static func load(path: String, skipBad: Bool = false) throws -> ImportResult<MathDocument> {
        let name = JSONLineReader.fileName(path)
        return try JSONLineReader.read(path, skipBad: skipBad) { object, line in
            let (problem, solution) = try problemAndSolution(object)
            let given = JSONLineReader.optionalText(object, "answer")?.trimmingSpacesAndNewlines() ?? ""
            let answer = given.isEmpty ? finalAnswer(inSolution: solution) : given
            let difficulty = (object["difficulty"] as? Int) ?? 0
            return MathDocument(
                id: JSONLineReader.optionalText(object, "id") ?? "\(name):\(line)",
                problem: problem, solution: solution, answer: answer,
                family: JSONLineReader.optionalText(object, "family")
                    ?? JSONLineReader.optionalText(object, "source") ?? "numina",
                difficulty: difficulty)
        }
    }

    static func problemAndSolution(_ object: JSONLineReader.Object) throws -> (String, String) {
        if object["problem"] != nil || object["messages"] == nil {
            guard object["problem"] != nil else { throw LineProblem("missing field 'problem' (and no 'messages')") }
            return (try JSONLineReader.string(object, "problem"), try JSONLineReader.string(object, "solution"))
        }
        guard let messages = object["messages"] as? [Any] else {
            throw LineProblem("field 'messages' is not a list")
        }
        var problem: String?
        for (i, item) in messages.enumerated() {
            guard let message = item as? [String: Any],
                  let role = message["role"] as? String,
                  let content = message["content"] as? String else {
                throw LineProblem("messages[\(i)] is not an object with string 'role' and 'content'")
            }
            if role == "user" && problem == nil {
                problem = content
            } else if role == "assistant", let p = problem {
                guard !p.trimmingSpacesAndNewlines().isEmpty, !content.trimmingSpacesAndNewlines().isEmpty else {
                    throw LineProblem("messages: empty user or assistant content")
                }
                return (p, content)
            }
        }
        throw LineProblem(problem == nil ? "messages: no 'user' message"
                                         : "messages: no 'assistant' message after the 'user' message")
    }

    /// `\boxed{…}` content (last one), else the last number, else "".
    public static func finalAnswer(inSolution solution: String) -> String {
        if let boxed = lastBoxed(solution) { return boxed }
        return lastNumber(solution) ?? ""
    }

    static func lastBoxed(_ text: String) -> String? {
        guard let start = text.range(of: "\\boxed{", options: .backwards) else { return nil }
        var depth = 1
        var content = ""
        for ch in text[start.upperBound...] {
            if ch == "{" { depth += 1 }
            if ch == "}" {
                depth -= 1
                if depth == 0 {
                    let trimmed = content.trimmingSpacesAndNewlines()
                    return trimmed.isEmpty ? nil : (AnswerExtraction.number(from: trimmed)?.description ?? trimmed)
                }
            }
            content.append(ch)
        }
        return nil  // unbalanced: fall back to the last number
    }

    static func lastNumber(_ text: String) -> String? {
        var last: DecimalNumber?
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            let startsNumber = ch.isASCIIDigit
                || (ch == "-" && text.index(after: index) < text.endIndex && text[text.index(after: index)].isASCIIDigit)
            if startsNumber, let (value, rest) = AnswerExtraction.scanNumber(text[index...]) {
                last = value
                index = rest.startIndex
            } else {
                index = text.index(after: index)
            }
        }
        return last?.description
    }
}
