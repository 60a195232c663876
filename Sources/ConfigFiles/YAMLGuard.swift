/// Checks on the text of a config or spec file made before Yams composes it.
///
/// Yams resolves an alias to the node its anchor names, and our conversion to JSON
/// then copies that node at every use: nine nested aliases of nine items each (the
/// "billion laughs", a few hundred bytes) grow to gigabytes. Yams also composes
/// recursively, so a file nested a few hundred thousand levels deep overflows the
/// stack. Both must therefore be refused on the text itself. Yams gives no access to
/// libyaml's events, so this is a small lexical scan of YAML's block and flow
/// structure: it knows quoted scalars, block scalars (`|`, `>`), comments and plain
/// scalars well enough to find `&name` and `*name` where a node starts and to count
/// nesting. `ConfigDocument` also refuses anchors on the composed tree, before
/// converting it, in case this scan misses one.
enum YAMLGuard {
    /// Far above any real spec or trial config (a few kilobytes).
    static let maxBytes = 1 << 20
    /// Nesting levels: mappings, sequences and the scalars in them (specs use about 4).
    static let maxDepth = 64

    static func check(_ text: String, source: String) throws {
        let size = text.utf8.count
        if size > maxBytes {
            throw ConfigFileError(source: source, line: nil, field: nil,
                                  message: "the file is \(size) bytes; config and spec files are limited to \(maxBytes) bytes (1 MiB)")
        }
        var scanner = Scanner(source: source)
        var lineNumber = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            try scanner.scan(line: Array(line), number: lineNumber)
        }
    }

    static func anchorError(_ kind: UInt8, name: String, source: String, line: Int) -> ConfigFileError {
        let what = kind == UInt8(ascii: "&") ? "anchor &\(name)" : "alias *\(name)"
        return ConfigFileError(source: source, line: line, field: nil,
                               message: "YAML anchors and aliases are refused (found \(what)): write the values out, so the file reads as it runs; quote a string that starts with & or *")
    }

    private struct Scanner {
        let source: String
        var flowDepth = 0
        /// Columns of the block nodes that start lines (or follow `- `), innermost last.
        var blockColumns: [Int] = []
        /// Inside a quoted scalar that continues on the next line: its quote character.
        var openQuote: UInt8?
        /// Inside a block scalar: the indentation of the line that opened it, and of its content once seen.
        var blockScalar: (parent: Int, content: Int?)?

        init(source: String) { self.source = source }

        mutating func scan(line: [UInt8], number: Int) throws {
            let indent = line.prefix { $0 == space }.count
            let blank = line.allSatisfy { $0 == space || $0 == tab || $0 == cr }
            if let open = blockScalar {
                if blank { return }
                let content = open.content ?? indent
                if indent > open.parent && indent >= content {
                    blockScalar = (open.parent, content)
                    return
                }
                blockScalar = nil
            }
            if blank { return }
            var i = 0
            var expectNode = true
            if let quote = openQuote {
                i = closeQuote(quote, in: line, from: 0)
                if i > line.count { return }
                expectNode = false
            } else if flowDepth == 0 {
                if line[indent] == UInt8(ascii: "%") && indent == 0 { return }
                if Self.isDocumentMarker(line) { i = 3 }
            }
            try scanTokens(line, from: i, indent: indent, expectNode: expectNode, number: number)
        }

        private mutating func scanTokens(_ line: [UInt8], from start: Int, indent: Int, expectNode startsNode: Bool,
                                         number: Int) throws {
            var i = start
            var expectNode = startsNode
            // The first node of a block line, and the node after a block `- `, open block levels.
            var blockNodeNext = openQuote == nil && flowDepth == 0 && start == 0
            while i < line.count {
                let c = line[i]
                let next = i + 1 < line.count ? line[i + 1] : space
                if Self.isBreak(c) { i += 1; continue }
                if c == hash && (i == 0 || Self.isBreak(line[i - 1])) { return }
                if expectNode {
                    if c == amp || c == star, !Self.isBreak(next) {
                        let name = line[(i + 1)...].prefix { !Self.isBreak($0) && !Self.isFlowIndicator($0) }
                        throw YAMLGuard.anchorError(c, name: String(decoding: name, as: UTF8.self), source: source, line: number)
                    }
                    if c == bang { i = skipWord(line, from: i); continue }
                    let blockEntry = flowDepth == 0 && c == dash && Self.isBreak(next)
                    if flowDepth == 0 && (blockNodeNext || blockEntry) { try enterBlock(column: i, number: number) }
                    blockNodeNext = blockEntry
                    if (c == dash || c == question || c == colon) && Self.isBreak(next) { i += 2; continue }
                    if c == openBracket || c == openBrace {
                        flowDepth += 1
                        try checkDepth(number)
                        i += 1; continue
                    }
                    if c == dquote || c == squote {
                        i = closeQuote(c, in: line, from: i + 1)
                        if i > line.count { openQuote = c; return }
                        expectNode = false; continue
                    }
                    if flowDepth == 0 && (c == pipe || c == gt) {
                        blockScalar = (indent, nil)
                        return
                    }
                    expectNode = false
                }
                let afterQuote = i > 0 && (line[i - 1] == dquote || line[i - 1] == squote)
                if c == colon && (Self.isBreak(next) || flowDepth > 0 && afterQuote) { expectNode = true; i += 1; continue }
                if flowDepth > 0 {
                    if c == comma { expectNode = true }
                    if c == closeBracket || c == closeBrace { flowDepth = max(0, flowDepth - 1) }
                    if c == openBracket || c == openBrace { flowDepth += 1; try checkDepth(number); expectNode = true }
                }
                i += 1
            }
        }

        /// A block node at `column`: closes the nodes indented more, opens a level
        /// unless a sibling is at the same column.
        private mutating func enterBlock(column: Int, number: Int) throws {
            while let last = blockColumns.last, last > column { blockColumns.removeLast() }
            if blockColumns.last != column { blockColumns.append(column) }
            try checkDepth(number)
        }

        private func checkDepth(_ number: Int) throws {
            if blockColumns.count + flowDepth > YAMLGuard.maxDepth {
                throw ConfigFileError(source: source, line: number, field: nil,
                                      message: "nested deeper than \(YAMLGuard.maxDepth) levels; config and spec files are limited to that")
            }
        }

        /// The index after the closing quote, or past the end when the scalar continues on the next line.
        private mutating func closeQuote(_ quote: UInt8, in line: [UInt8], from start: Int) -> Int {
            var i = start
            while i < line.count {
                if quote == dquote && line[i] == backslash { i += 2; continue }
                if line[i] == quote {
                    if quote == squote && i + 1 < line.count && line[i + 1] == squote { i += 2; continue }
                    openQuote = nil
                    return i + 1
                }
                i += 1
            }
            return line.count + 1
        }

        private func skipWord(_ line: [UInt8], from start: Int) -> Int {
            var i = start
            while i < line.count && !Self.isBreak(line[i]) { i += 1 }
            return i
        }

        static func isBreak(_ c: UInt8) -> Bool { c == space || c == tab || c == cr }
        static func isFlowIndicator(_ c: UInt8) -> Bool { c == comma || c == openBracket || c == closeBracket || c == openBrace || c == closeBrace }
        static func isDocumentMarker(_ line: [UInt8]) -> Bool {
            guard line.count >= 3 else { return false }
            let head = Array(line[0..<3])
            guard head == Array("---".utf8) || head == Array("...".utf8) else { return false }
            return line.count == 3 || isBreak(line[3])
        }
    }
}

private let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), cr = UInt8(ascii: "\r")
private let hash = UInt8(ascii: "#"), amp = UInt8(ascii: "&"), star = UInt8(ascii: "*"), bang = UInt8(ascii: "!")
private let dash = UInt8(ascii: "-"), question = UInt8(ascii: "?"), colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")
private let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
private let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
private let dquote = UInt8(ascii: "\""), squote = UInt8(ascii: "'"), backslash = UInt8(ascii: "\\")
private let pipe = UInt8(ascii: "|"), gt = UInt8(ascii: ">")
