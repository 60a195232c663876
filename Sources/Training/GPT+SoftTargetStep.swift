import Learner

extension GPT {
    /// One learner update on designed soft targets: zero grads, forward, `design`
    /// writes q (B·T, V) and its mask from the detached forward outputs, loss on
    /// q (so the logit gradient is (p − q)/N), backward, AdamW. Returns
    /// (loss, gradient norm before clipping).
    public func softTargetStep(tokens: UnsafePointer<Int32>, batch B: Int, time T: Int,
                               q: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<UInt8>,
                               optimizer: AdamWOptimizer, lr: Double,
                               design: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<UInt8>) -> Void)
        -> (loss: Double, gradNorm: Double) {
        zeroGrad()
        forward(tokens: tokens, batch: B, time: T)
        design(q, mask)
        let l = loss(.distribution(q, mask: mask))
        backward()
        return (l, optimizer.step(self, lr: lr))
    }
}
