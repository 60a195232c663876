import Foundation
import XCTest
@testable import Corpus

/// Path of a fixture file shipped with the test bundle.
func fixture(_ name: String) -> String {
    guard let dir = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        fatalError("test bundle has no Fixtures folder")
    }
    return dir.appendingPathComponent(name).path
}

/// A fresh temporary directory, removed when the test case tears down.
func temporaryDirectory(_ testCase: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "vsweep-corpus-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    testCase.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// Small integer expressions for recomputing generated arithmetic:
/// integers, + - * /, parentheses, and `x` bound to a value; `3x` means 3·x.
/// Division must be exact (returns nil otherwise), as every generated step is.
struct IntExpression {
    private var tokens: [String]
    private var position = 0
    private let x: Int?

    static func evaluate(_ text: String, x: Int? = nil) -> Int? {
        var parser = IntExpression(tokens: tokenize(text), x: x)
        guard let value = parser.sum(), parser.position == parser.tokens.count else { return nil }
        return value
    }

    private init(tokens: [String], x: Int?) {
        self.tokens = tokens
        self.x = x
    }

    private static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var number = ""
        for ch in text {
            if ch.isNumber {
                number.append(ch)
                continue
            }
            if !number.isEmpty {
                tokens.append(number)
                if ch == "x" { tokens.append("*") }  // 3x → 3 * x
                number = ""
            }
            if ch == " " { continue }
            tokens.append(String(ch))
        }
        if !number.isEmpty { tokens.append(number) }
        return tokens
    }

    private mutating func sum() -> Int? {
        guard var value = product() else { return nil }
        while position < tokens.count, tokens[position] == "+" || tokens[position] == "-" {
            let op = tokens[position]
            position += 1
            guard let rhs = product() else { return nil }
            value = op == "+" ? value + rhs : value - rhs
        }
        return value
    }

    private mutating func product() -> Int? {
        guard var value = atom() else { return nil }
        while position < tokens.count, tokens[position] == "*" || tokens[position] == "/" {
            let op = tokens[position]
            position += 1
            guard let rhs = atom() else { return nil }
            if op == "*" {
                value *= rhs
            } else {
                guard rhs != 0, value % rhs == 0 else { return nil }
                value /= rhs
            }
        }
        return value
    }

    private mutating func atom() -> Int? {
        guard position < tokens.count else { return nil }
        let token = tokens[position]
        position += 1
        if token == "(" {
            let value = sum()
            guard position < tokens.count, tokens[position] == ")" else { return nil }
            position += 1
            return value
        }
        if token == "-" { return atom().map { -$0 } }
        if token == "x" { return x }
        return Int(token)
    }
}

/// Integers in a text, in order (a `-` counts as a sign only right after a
/// space or at the start, so "3-4" is two positives).
func integers(in text: String) -> [Int] {
    var out: [Int] = []
    var current = ""
    for ch in text {
        if ch.isNumber {
            current.append(ch)
        } else {
            if let v = Int(current) { out.append(v) }
            current = ""
        }
    }
    if let v = Int(current) { out.append(v) }
    return out
}
