// Throwaway: algorithmic variants screened on held-out seeds (docs/benchmarks.md).
public struct TPEExperiment: Sendable {
    /// Refine the best `refineTop` candidates by `refineSteps` Gaussian moves each.
    public var refineTop = 0
    public var refineSteps = 0
    /// Share of candidates drawn uniformly from the box instead of from l.
    public var uniformShare = 0.0
    /// l's observation weights by rank: 0 = equal, 1 = linear, 2 = ln(γ+1) − ln r, 3 = ln(γ+½) − ln r, 4 = squared linear.
    public var rankWeights = 0
    /// Joint k-nearest-neighbour bandwidths instead of per-axis gaps.
    public var jointBandwidth = false
    public var jointK = 1
    /// Random γ fraction per trial from this set (empty = off).
    public var gammaChoices: [Double] = []
    /// After this many trials without improvement, scale l's bandwidths by `stallScale`.
    public var stallTrials = 0
    public var stallScale = 1.0
    /// After a stall, use this γ fraction instead (0 = off).
    public var stallGamma = 0.0
    /// Sample the chosen candidate ∝ exp(score / temperature) instead of the argmax (0 = off).
    public var temperature = 0.0
    public init() {}
}
