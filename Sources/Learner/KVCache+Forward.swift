import Kernels

extension KVCache {
    /// Pushes the pending rows through the model: the same math as `GPT.forward`
    /// restricted to the new positions, with earlier positions' keys and values read
    /// from the cache. Afterwards `logits(row:)` holds each row's next-token logits
    /// and no rows are pending. Does nothing when no rows are pending.
    public func run() {
        let R = pendingRows
        guard R > 0 else { return }
        pendingRows = 0
        let c = model.config
        let C = c.dModel, V = c.vocab
        let p = model.layout.globals(in: model.params.base)
        let w = rows

        // x[r] = wte[token_r] + wpe[position_r]
        for r in 0..<R {
            let e = p.wte + rowToken[r] * C, pos = p.wpe + rowPosition[r] * C, x = w.x + r * C
            for i in 0..<C { x[i] = e[i] + pos[i] }
        }
        for l in 0..<c.nLayer {
            let lw = model.layout.layer(l, in: model.params.base)
            LayerNorm.forward(w.ln, w.mean, w.rstd, w.x, lw.ln1w, lw.ln1b, R, C)
            DecodeLinear.forward(w.qkv, w.ln, lw.qkvw, lw.qkvb, R, C, 3 * C)
            storeKeysAndValues(layer: l, R)
            attend(layer: l, R)
            // x += proj(atty); ln is free until LN2 and serves as the projection's output
            DecodeLinear.forward(w.ln, w.atty, lw.projw, lw.projb, R, C, C)
            Residual.forward(w.x, w.x, w.ln, R * C)
            LayerNorm.forward(w.ln, w.mean, w.rstd, w.x, lw.ln2w, lw.ln2b, R, C)
            DecodeLinear.forward(w.fch, w.ln, lw.fcw, lw.fcb, R, C, 4 * C)
            GELU.forward(w.fch, w.fch, R * 4 * C)
            // x += mlp.proj(gelu); atty is free until the next layer's attention
            DecodeLinear.forward(w.atty, w.fch, lw.fcprojw, lw.fcprojb, R, 4 * C, C)
            Residual.forward(w.x, w.x, w.atty, R * C)
        }
        LayerNorm.forward(w.ln, w.mean, w.rstd, w.x, p.lnfw, p.lnfb, R, C)
        DecodeLinear.forward(w.logits, w.ln, p.wte, nil, R, C, V)
    }

    /// Copies each row's k and v (columns C..<2C and 2C..<3C of qkv) to its slot's
    /// position in the layer's cache, head by head; keys go into their 16-position blocks.
    private func storeKeysAndValues(layer l: Int, _ R: Int) {
        let c = model.config
        let C = c.dModel, NH = c.nHead, hs = C / NH, T = context, Tk = keyStride
        for r in 0..<R {
            let b = rowSlot[r], t = rowPosition[r]
            let k = keys(layer: l, slot: b), v = values(layer: l, slot: b)
            let src = rows.qkv + r * 3 * C
            for h in 0..<NH {
                let kh = k + h * hs * Tk + DecodeAttention.keyIndex(position: t, channel: 0, headSize: hs)
                let ks = src + C + h * hs
                for i in 0..<hs { kh[i * 16] = ks[i] }
                (v + (h * T + t) * hs).update(from: src + 2 * C + h * hs, count: hs)
            }
        }
    }

    /// atty[r] = causal attention of row r's query over positions 0...position_r of its slot.
    private func attend(layer l: Int, _ R: Int) {
        let c = model.config
        let C = c.dModel, NH = c.nHead, T = context, Tk = keyStride
        let w = rows
        let slots = rowSlot, positions = rowPosition
        // rows write disjoint atty rows and use their own score rows: safe to split
        Parallel.forRows(R, grain: 16) { range in
            for r in range {
                let b = slots[r]
                DecodeAttention.forward(w.atty + r * C, w.scores + r * Tk, w.qkv + r * 3 * C,
                                        self.keys(layer: l, slot: b), self.values(layer: l, slot: b),
                                        positions[r] + 1, Tk, T, C, NH)
            }
        }
    }
}
