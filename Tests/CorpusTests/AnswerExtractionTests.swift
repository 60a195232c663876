import XCTest
@testable import Corpus

final class AnswerExtractionTests: XCTestCase {
    func testFinalAnswerTable() {
        // (text, expected final answer), each written by hand from the rules.
        let cases: [(String, String?)] = [
            ("3 + 4 = 7\n#### 7", "7"),
            ("#### 1,234", "1234"),
            ("#### 1,234,567.50", "1234567.5"),
            ("#### -5", "-5"),
            ("#### -0", "0"),
            ("#### 3.50", "3.5"),
            ("#### 7.0", "7"),
            ("#### 0.25", "0.25"),
            ("#### .5", "0.5"),
            ("#### 007", "7"),
            ("#### $5", "5"),
            ("#### $1,200.", "1200"),
            ("#### -$3", "-3"),
            ("#### $-3", "-3"),
            ("#### 5.", "5"),
            ("#### 12 apples", "12"),
            ("#### 10%", "10"),
            ("####5", "5"),
            ("####   42   ", "42"),
            ("#### 8\n#### 9", "8"),               // the first #### line counts
            ("reasoning\n#### 6\nQ: next question", "6"),
            ("#### 6\r\n", "6"),
            ("#### yes", "yes"),
            ("#### x = 5", "x = 5"),               // not a leading number: kept as text
            ("#### The end.", "The end"),
            ("####", nil),
            ("####   \nmore", nil),
            ("no marker at all: 42", nil),
            ("", nil),
            ("### 5", nil),                        // three hashes is not the marker
        ]
        for (text, expected) in cases {
            XCTAssertEqual(AnswerExtraction.finalAnswer(in: text), expected, "input \(text.debugDescription)")
        }
    }

    func testIsCorrectTable() {
        let cases: [(String?, String, Bool)] = [
            ("7", "7", true),
            ("7.0", "7", true),
            ("7", "7.00", true),
            ("3.50", "3.5", true),
            ("1,234", "1234", true),
            ("$5", "5", true),
            ("5.", "5", true),
            ("-5", "-5", true),
            ("-0", "0", true),
            ("5", "-5", false),
            ("0.33", "0.333", false),
            ("7.01", "7", false),
            ("70", "7", false),
            (nil, "7", false),
            ("", "7", false),
            ("yes", "yes", true),
            (" yes ", "yes", true),
            ("Yes", "yes", false),
            ("12 apples", "12", false),            // raw strings are not extracted here
        ]
        for (predicted, reference, expected) in cases {
            XCTAssertEqual(AnswerExtraction.isCorrect(predicted: predicted, reference: reference), expected,
                           "\(String(describing: predicted)) vs \(reference)")
        }
    }

    func testExtractThenCompareOnModelOutput() {
        let reference = AnswerExtraction.finalAnswer(in: "48/2 = 24\n#### 1,024")!
        XCTAssertEqual(reference, "1024")
        XCTAssertTrue(AnswerExtraction.isCorrect(predicted: AnswerExtraction.finalAnswer(in: "2 * 512 = 1024\n#### 1024.00\n"),
                                                 reference: reference))
        XCTAssertFalse(AnswerExtraction.isCorrect(predicted: AnswerExtraction.finalAnswer(in: "2 * 512 = 1024\n"),
                                                  reference: reference))
    }

    func testDecimalNumberCanonicalForm() {
        XCTAssertEqual(DecimalNumber("0012.3400")?.description, "12.34")
        XCTAssertEqual(DecimalNumber("-0.000")?.description, "0")
        XCTAssertEqual(DecimalNumber("-0.5")?.description, "-0.5")
        XCTAssertEqual(DecimalNumber("12.")?.description, "12")
        XCTAssertNil(DecimalNumber("."))
        XCTAssertNil(DecimalNumber("-"))
        XCTAssertNil(DecimalNumber("1.2.3"))
        XCTAssertNil(DecimalNumber("1e3"))
        XCTAssertNil(DecimalNumber("1,000"))
        XCTAssertEqual(DecimalNumber("3.50"), DecimalNumber("3.5"))
        XCTAssertNotEqual(DecimalNumber("-3"), DecimalNumber("3"))
    }

    func testNumberFromReferenceRejectsTrailingText() {
        XCTAssertEqual(AnswerExtraction.number(from: " 1,234 ")?.description, "1234")
        XCTAssertEqual(AnswerExtraction.number(from: "3.50.")?.description, "3.5")
        XCTAssertNil(AnswerExtraction.number(from: "12 apples"))
        XCTAssertNil(AnswerExtraction.number(from: "yes"))
        XCTAssertNil(AnswerExtraction.number(from: ""))
    }
}
