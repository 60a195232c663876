import Vocabulary

/// A multiset of (value, id) pairs ordered by value, then id, that answers "the k-th
/// smallest" and "how many are smaller" in O(log n): a treap with subtree sizes,
/// nodes in flat arrays (no allocation per node once grown). Priorities come from
/// SplitMix64 of an insertion counter, so the shape is the same on every run.
///
/// The incremental stopping rules keep one per rung (or per step) so that a decision
/// never copies or sorts its peers' values.
public struct OrderStatisticTree: Sendable {
    private var values: [Double] = []
    private var ids: [Int] = []
    private var priorities: [UInt64] = []
    private var sizes: [Int] = []
    private var left: [Int] = []
    private var right: [Int] = []
    private var free: [Int] = []
    private var root = -1
    private var inserted: UInt64 = 0

    public init() {}

    public var count: Int { size(root) }

    /// Adds (value, id). `value` must not be NaN (rank NaN as +∞ before inserting).
    public mutating func insert(_ value: Double, id: Int) {
        precondition(!value.isNaN, "OrderStatisticTree takes no NaN (rank it as +infinity first)")
        inserted &+= 1
        let node = makeNode(value, id, priority: SplitMix64.mix(inserted))
        let (lower, upper) = split(root, value, id)
        root = merge(merge(lower, node), upper)
    }

    /// Removes one (value, id); false when it is not there.
    @discardableResult
    public mutating func remove(_ value: Double, id: Int) -> Bool {
        let (lower, rest) = split(root, value, id)
        // `rest` starts with (value, id) if present: split off its smallest element.
        let (middle, upper) = splitFirst(rest)
        if middle >= 0, values[middle] == value, ids[middle] == id {
            free.append(middle)
            root = merge(lower, upper)
            return true
        }
        root = merge(lower, merge(middle, upper))
        return false
    }

    /// The k-th smallest value, k from 0.
    public func smallest(_ k: Int) -> Double {
        precondition(k >= 0 && k < count, "smallest(\(k)) of \(count) values")
        var node = root
        var k = k
        while true {
            let leftSize = size(left[node])
            if k < leftSize {
                node = left[node]
            } else if k == leftSize {
                return values[node]
            } else {
                k -= leftSize + 1
                node = right[node]
            }
        }
    }

    /// How many entries order strictly before (value, id).
    public func rank(of value: Double, id: Int) -> Int {
        var node = root
        var below = 0
        while node >= 0 {
            if precedes(values[node], ids[node], value, id) {
                below += size(left[node]) + 1
                node = right[node]
            } else {
                node = left[node]
            }
        }
        return below
    }

    // MARK: - Treap internals

    private func size(_ node: Int) -> Int { node < 0 ? 0 : sizes[node] }

    private func precedes(_ a: Double, _ aID: Int, _ b: Double, _ bID: Int) -> Bool {
        a < b || (a == b && aID < bID)
    }

    private mutating func makeNode(_ value: Double, _ id: Int, priority: UInt64) -> Int {
        if let node = free.popLast() {
            values[node] = value; ids[node] = id; priorities[node] = priority
            sizes[node] = 1; left[node] = -1; right[node] = -1
            return node
        }
        values.append(value); ids.append(id); priorities.append(priority)
        sizes.append(1); left.append(-1); right.append(-1)
        return values.count - 1
    }

    private mutating func update(_ node: Int) {
        sizes[node] = 1 + size(left[node]) + size(right[node])
    }

    /// Splits into (entries before (value, id), entries at or after it).
    private mutating func split(_ node: Int, _ value: Double, _ id: Int) -> (Int, Int) {
        guard node >= 0 else { return (-1, -1) }
        if precedes(values[node], ids[node], value, id) {
            let (lower, upper) = split(right[node], value, id)
            right[node] = lower
            update(node)
            return (node, upper)
        }
        let (lower, upper) = split(left[node], value, id)
        left[node] = upper
        update(node)
        return (lower, node)
    }

    /// Splits off the smallest entry: (that node alone, the rest).
    private mutating func splitFirst(_ node: Int) -> (Int, Int) {
        guard node >= 0 else { return (-1, -1) }
        if left[node] < 0 {
            let rest = right[node]
            right[node] = -1
            update(node)
            return (node, rest)
        }
        let (first, rest) = splitFirst(left[node])
        left[node] = rest
        update(node)
        return (first, node)
    }

    private mutating func merge(_ a: Int, _ b: Int) -> Int {
        if a < 0 { return b }
        if b < 0 { return a }
        if priorities[a] > priorities[b] {
            right[a] = merge(right[a], b)
            update(a)
            return a
        }
        left[b] = merge(a, left[b])
        update(b)
        return b
    }
}
