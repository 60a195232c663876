import Kernels

/// Keys and values of every past position of up to `maxBatch` sequences ("slots"),
/// plus the activation buffers to push up to `rowCapacity` new tokens ("rows")
/// through a `GPT` at once. Everything is allocated in `init`; `append`, `run`
/// and `reset` allocate nothing.
///
/// A row is one new token of one slot at that slot's next position. Rows of one
/// slot are appended in position order; `run` processes all pending rows layer by
/// layer, writing each row's key and value into the cache before any row of the
/// layer attends, so a row sees its slot's earlier rows of the same run (prefill
/// of a whole prompt in one run) as well as everything cached by earlier runs.
///
/// Symbols: L layers, NH heads, hs = C/NH, Tmax = context, R = rowCapacity.
/// The cache reads the model's parameters at every `run`: changing them between
/// runs mixes keys computed with old and new weights.
public final class KVCache {
    public let model: GPT
    public let maxBatch: Int
    /// Most rows one `run` can take.
    public let rowCapacity: Int
    public var context: Int { model.config.context }

    /// Keys (L, maxBatch, NH, Tk/16, hs, 16), in the transposed 16-position blocks of
    /// `DecodeAttention`, with Tk = context rounded up to 16; values (L, maxBatch, NH, Tmax, hs).
    let keys: FloatBuffer
    let values: FloatBuffer
    /// Key stride: context rounded up to a multiple of 16.
    let keyStride: Int
    let work: FloatBuffer
    let rows: RowWorkspace

    /// Positions used per slot, pending rows included.
    private(set) var lengths: [Int]
    /// Row descriptors of the pending run (capacity `rowCapacity`).
    var rowSlot: [Int], rowPosition: [Int], rowToken: [Int]
    /// Rows appended since the last `run`.
    public internal(set) var pendingRows = 0

    /// - Parameters:
    ///   - maxBatch: slots (sequences held at once).
    ///   - rowCapacity: most new tokens per `run`; defaults to max(maxBatch, context),
    ///     enough for one full prompt or one token of every slot.
    public init(model: GPT, maxBatch: Int, rowCapacity: Int? = nil) throws {
        let c = model.config
        guard maxBatch >= 1 else {
            throw DecodeError(field: "maxBatch", message: "maxBatch must be >= 1 (got \(maxBatch))")
        }
        let capacity = rowCapacity ?? max(maxBatch, c.context)
        guard capacity >= 1 else {
            throw DecodeError(field: "rowCapacity", message: "rowCapacity must be >= 1 (got \(capacity))")
        }
        self.model = model
        self.maxBatch = maxBatch
        self.rowCapacity = capacity
        keyStride = (c.context + 15) / 16 * 16
        keys = FloatBuffer(count: c.nLayer * maxBatch * keyStride * c.dModel)
        values = FloatBuffer(count: c.nLayer * maxBatch * c.context * c.dModel)
        let layout = RowWorkspace.Layout(rows: capacity, config: c)
        work = FloatBuffer(count: layout.count)
        rows = layout.views(in: work.base)
        lengths = [Int](repeating: 0, count: maxBatch)
        rowSlot = [Int](repeating: 0, count: capacity)
        rowPosition = [Int](repeating: 0, count: capacity)
        rowToken = [Int](repeating: 0, count: capacity)
    }

    /// Positions held by `slot`, pending rows included.
    public func length(ofSlot slot: Int) -> Int { lengths[slot] }

    /// Empties every slot and drops pending rows.
    public func reset() {
        for b in 0..<maxBatch { lengths[b] = 0 }
        pendingRows = 0
    }

    /// Empties one slot so a new sequence can start there. Its old keys stay in
    /// memory but are never read: a row only attends to positions below its own.
    public func reset(slot: Int) throws {
        try checkSlot(slot)
        guard !(0..<pendingRows).contains(where: { rowSlot[$0] == slot }) else {
            throw DecodeError(field: "slot", message: "slot \(slot) has pending rows; run them before resetting it")
        }
        lengths[slot] = 0
    }

    /// Queues `token` as the next position of `slot`; returns its row index, under
    /// which `logits(row:)` reads its next-token logits after `run`.
    @discardableResult
    public func append(token: Int, slot: Int) throws -> Int {
        try checkSlot(slot)
        guard token >= 0 && token < model.config.vocab else {
            throw DecodeError(field: "token", message: "token \(token) outside the vocabulary 0..<\(model.config.vocab)")
        }
        guard lengths[slot] < context else {
            throw DecodeError(field: "slot", message: "slot \(slot) is full: \(context) positions (the model context)")
        }
        guard pendingRows < rowCapacity else {
            throw DecodeError(field: "rows", message: "\(rowCapacity) rows pending already; call run() first")
        }
        let r = pendingRows
        rowSlot[r] = slot
        rowPosition[r] = lengths[slot]
        rowToken[r] = token
        lengths[slot] += 1
        pendingRows += 1
        return r
    }

    /// Next-token logits (V) of `row` of the last `run`; valid until the next `run`.
    public func logits(row: Int) -> UnsafeBufferPointer<Float> {
        precondition(row >= 0 && row < rowCapacity, "logits: row \(row) outside 0..<\(rowCapacity)")
        let V = model.config.vocab
        return UnsafeBufferPointer(start: rows.logits + row * V, count: V)
    }

    private func checkSlot(_ slot: Int) throws {
        guard slot >= 0 && slot < maxBatch else {
            throw DecodeError(field: "slot", message: "slot \(slot) outside 0..<\(maxBatch)")
        }
    }

    /// Keys of `layer`, `slot`: (NH, Tk/16, hs, 16).
    func keys(layer l: Int, slot b: Int) -> UnsafeMutablePointer<Float> {
        keys.base + (l * maxBatch + b) * keyStride * model.config.dModel
    }

    /// Values of `layer`, `slot`: (NH, Tmax, hs).
    func values(layer l: Int, slot b: Int) -> UnsafeMutablePointer<Float> {
        values.base + (l * maxBatch + b) * context * model.config.dModel
    }
}

/// Per-run activations for R rows; every field is reused by every layer.
/// Shapes: x, ln, atty (R, C) — x is the residual stream; qkv (R, 3C); fch (R, 4C);
/// mean, rstd (R); scores (R, Tk); logits (R, V).
struct RowWorkspace {
    let x, ln, atty, qkv, fch, mean, rstd, scores, logits: UnsafeMutablePointer<Float>

    struct Layout {
        let count: Int
        private let x, ln, atty, qkv, fch, mean, rstd, scores, logits: Int

        init(rows R: Int, config c: GPTConfig) {
            let C = c.dModel
            // every field starts on a 64-byte line (16 floats)
            var plan = ScratchPlan(alignment: 16)
            x = plan.field(R * C); ln = plan.field(R * C); atty = plan.field(R * C); qkv = plan.field(R * 3 * C)
            fch = plan.field(R * 4 * C); mean = plan.field(R); rstd = plan.field(R)
            scores = plan.field(R * ((c.context + 15) / 16 * 16)); logits = plan.field(R * c.vocab)
            count = plan.count
        }

        func views(in base: UnsafeMutablePointer<Float>) -> RowWorkspace {
            RowWorkspace(x: base + x, ln: base + ln, atty: base + atty, qkv: base + qkv, fch: base + fch,
                         mean: base + mean, rstd: base + rstd, scores: base + scores, logits: base + logits)
        }
    }
}
