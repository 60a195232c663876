/// Values a rule compares against, asked only for their count and order statistics:
/// the pure rules sort a snapshot of their peers, the incremental trackers answer
/// from an `OrderStatisticTree` without copying anything.
public protocol RankedValues {
    var count: Int { get }
    /// The k-th smallest value, k from 0.
    func smallest(_ k: Int) -> Double
}

extension RankedValues {
    /// The median: the middle value, or the mean of the two middle ones.
    var median: Double {
        let middle = count / 2
        return count % 2 == 1 ? smallest(middle) : (smallest(middle - 1) + smallest(middle)) / 2
    }
}

/// A sorted snapshot.
struct SortedValues: RankedValues {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    var count: Int { sorted.count }
    func smallest(_ k: Int) -> Double { sorted[k] }
}

extension OrderStatisticTree: RankedValues {}

/// A tree's values without one of its entries (the deciding trial's own).
struct ExcludingOne: RankedValues {
    let tree: OrderStatisticTree
    /// The rank of the excluded entry in the tree.
    let excludedRank: Int

    var count: Int { tree.count - 1 }
    func smallest(_ k: Int) -> Double { tree.smallest(k < excludedRank ? k : k + 1) }
}
