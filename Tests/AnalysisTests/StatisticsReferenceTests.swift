import Foundation
import XCTest
@testable import Analysis

/// Every statistic against scipy/numpy numbers from scripts/reference/stats_reference.py.
final class StatisticsReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        struct Paired: Decodable {
            let name: String
            let arm: [Double], reference: [Double]
            let seed: UInt64, resamples: Int, level: Double, n: Int
            let mean: Double
            let sd: Double?, se: Double?, t: Double?, df: Int?, p: Double?
            let ci: [Double]?
            let bootstrap_ci: [Double]?
            let bootstrap_p: Double?
            let first_resample_means: [Double]?
            let signflip_p: Double
            let signflip_p_scipy: Double?
            let signflip_smallest: Double
            let mde: Double?
            let distinct_resamples: Double
        }
        struct SignFlip: Decodable {
            let name: String, d: [Double], n: Int, p: Double, p_scipy: Double?, exact: Bool, smallest: Double
            let seed: UInt64?, resamples: Int?, mc_error: Double?
        }
        struct Power: Decodable {
            struct Point: Decodable { let n: Int, effect: Double, power: Double }
            struct Detectable: Decodable { let n: Int, effect: Double, statsmodels: Double }
            struct Needed: Decodable { let effect: Double, pairs: Int? }
            let power: [Point], detectable: [Detectable], pairs_needed: [Needed]
        }
        struct HolmCase: Decodable { let p: [Double], adjusted: [Double] }
        struct Proportions: Decodable {
            struct Wilson: Decodable { let k: Int, n: Int, lower: Double, upper: Double }
            struct McNemar: Decodable { let arm_only: Int, reference_only: Int, p: Double }
            struct NormalQuantile: Decodable { let p: Double, quantile: Double }
            let wilson: [Wilson], mcnemar: [McNemar], normal_quantile: [NormalQuantile]
        }
        struct Aggregate: Decodable {
            let name: String, x: [[Double]], y: [[Double]], iqm: Double, poi: Double, resamples: Int
            let iqm_seed: UInt64, poi_seed: UInt64
            let iqm_ci: [Double], poi_ci: [Double], rliable_iqm_ci: [Double], rliable_poi_ci: [Double]
        }
        struct CDFPoint: Decodable { let df: Double, t: Double, cdf: Double, sf: Double, pdf: Double, two_sided: Double }
        struct QuantilePoint: Decodable { let df: Double, p: Double, quantile: Double }
        let paired: [Paired]
        let t_cdf: [CDFPoint]
        let t_quantile: [QuantilePoint]
        let sign_flip: [SignFlip]
        let power: Power
        let holm: [HolmCase]
        let proportions: Proportions
        let aggregates: [Aggregate]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "stats_reference", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    /// |a − b| ≤ rel·|b| (+ a floor for values that are 0 in the reference).
    func assertClose(_ a: Double?, _ b: Double?, rel: Double, abs floor: Double = 1e-300,
                     _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        guard let a, let b else {
            XCTAssertEqual(a == nil, b == nil, "\(what()): \(String(describing: a)) vs reference \(String(describing: b))", file: file, line: line)
            return
        }
        XCTAssertLessThanOrEqual(Swift.abs(a - b), Swift.max(rel * Swift.abs(b), floor),
                                 "\(what()): \(a) vs reference \(b)", file: file, line: line)
    }

    func testPairedComparisonsMatchScipy() throws {
        XCTAssertEqual(Self.fixture.paired.count, 9)
        for c in Self.fixture.paired {
            let r = try PairedComparison(arm: c.arm, reference: c.reference, level: c.level, resamples: c.resamples, seed: c.seed)
            XCTAssertEqual(r.count, c.n, c.name)
            assertClose(r.meanDifference, c.mean, rel: 1e-13, abs: 1e-15, "\(c.name) mean")
            assertClose(r.standardDeviation, c.sd, rel: 1e-12, abs: 1e-15, "\(c.name) sd")
            assertClose(r.standardError, c.se, rel: 1e-12, abs: 1e-15, "\(c.name) se")
            XCTAssertEqual(r.tTest?.degreesOfFreedom, c.df, c.name)
            assertClose(r.tTest?.statistic, c.t, rel: 1e-11, "\(c.name) t")
            assertClose(r.tTest?.pValue, c.p, rel: 1e-10, "\(c.name) p")
            assertClose(r.tTest?.confidenceInterval.lower, c.ci?[0], rel: 1e-11, abs: 1e-14, "\(c.name) t CI lower")
            assertClose(r.tTest?.confidenceInterval.upper, c.ci?[1], rel: 1e-11, abs: 1e-14, "\(c.name) t CI upper")
            assertClose(r.bootstrap?.confidenceInterval.lower, c.bootstrap_ci?[0], rel: 1e-12, abs: 1e-15, "\(c.name) bootstrap CI lower")
            assertClose(r.bootstrap?.confidenceInterval.upper, c.bootstrap_ci?[1], rel: 1e-12, abs: 1e-15, "\(c.name) bootstrap CI upper")
            XCTAssertEqual(r.bootstrap?.pValue, c.bootstrap_p, "\(c.name) bootstrap p (a count over B, so exact)")
            assertClose(r.signFlip.pValue, c.signflip_p, rel: 1e-12, "\(c.name) sign-flip p (exact)")
            if let scipy = c.signflip_p_scipy { assertClose(r.signFlip.pValue, scipy, rel: 1e-12, "\(c.name) sign-flip p vs scipy") }
            XCTAssertEqual(r.signFlip.smallestAttainable, c.signflip_smallest, c.name)
            assertClose(r.minimumDetectableDifference, c.mde, rel: 1e-9, abs: 1e-15, "\(c.name) MDE")
            XCTAssertEqual(PairedComparison.distinctResamples(pairs: c.n), c.distinct_resamples, c.name)
            if let first = c.first_resample_means {
                let means = PairedBootstrap.resampleMeans(r.differences, resamples: 5, seed: c.seed)
                XCTAssertEqual(means, first, "\(c.name): the resampling procedure is replayed bit for bit")
            }
        }
    }

    func testStudentTDistributionMatchesScipy() throws {
        var worst = 0.0
        for c in Self.fixture.t_cdf {
            let dist = try StudentT(degreesOfFreedom: c.df)
            let label = "df \(c.df) t \(c.t)"
            assertClose(dist.cdf(c.t), c.cdf, rel: 1e-10, "\(label) cdf")
            assertClose(dist.survival(c.t), c.sf, rel: 1e-10, "\(label) sf")
            assertClose(dist.density(c.t), c.pdf, rel: 1e-10, "\(label) pdf")
            assertClose(dist.twoSidedPValue(c.t), c.two_sided, rel: 1e-10, "\(label) two-sided")
            worst = max(worst, abs(dist.cdf(c.t) - c.cdf) / max(c.cdf, 1e-300), abs(dist.survival(c.t) - c.sf) / max(c.sf, 1e-300))
        }
        XCTAssertGreaterThan(Self.fixture.t_cdf.count, 150)
        print("StudentT cdf/sf worst relative error vs scipy: \(worst)")
    }

    func testStudentTQuantileMatchesScipy() throws {
        var worst = 0.0
        for c in Self.fixture.t_quantile {
            let q = try StudentT(degreesOfFreedom: c.df).quantile(c.p)
            assertClose(q, c.quantile, rel: 1e-10, abs: 1e-15, "df \(c.df) p \(c.p) quantile")
            if c.quantile != 0 { worst = max(worst, abs(q - c.quantile) / abs(c.quantile)) }
        }
        XCTAssertEqual(Self.fixture.t_quantile.count, 176)
        print("StudentT quantile worst relative error vs scipy: \(worst)")
    }

    // MARK: small-n statistics (issue 15)

    func testSignFlipTestMatchesExactEnumerationAndScipy() throws {
        let cases = Self.fixture.sign_flip
        XCTAssertEqual(cases.filter(\.exact).map(\.n), [1, 2, 3, 3, 5, 5, 8, 5, 4, 3, 12, 20])
        for c in cases {
            if c.exact {
                let r = try SignFlipTest(differences: c.d)
                XCTAssertTrue(r.exact, c.name)
                XCTAssertEqual(r.monteCarloError, 0)
                // A count over 2^n: equal to the rational-arithmetic enumeration.
                assertClose(r.pValue, c.p, rel: 1e-15, "\(c.name) exact p")
                if let scipy = c.p_scipy { assertClose(r.pValue, scipy, rel: 1e-12, "\(c.name) p vs scipy.stats.permutation_test") }
                XCTAssertEqual(r.smallestAttainable, c.smallest, c.name)
                XCTAssertGreaterThanOrEqual(r.pValue, r.smallestAttainable, c.name)
            } else {
                let r = try SignFlipTest(differences: c.d, resamples: try XCTUnwrap(c.resamples), seed: try XCTUnwrap(c.seed))
                XCTAssertFalse(r.exact, c.name)
                // The seeded procedure is replayed bit for bit by the reference: the same count.
                assertClose(r.pValue, c.p, rel: 1e-15, "\(c.name) Monte Carlo p (replayed)")
                assertClose(r.monteCarloError, c.mc_error, rel: 1e-12, "\(c.name) Monte Carlo error")
                // scipy's own randomized test (numpy RNG, 200 000 patterns, its p = 2 min(P<, P>)):
                // within 4 standard errors of both estimates.
                let ps = try XCTUnwrap(c.p_scipy)
                let tolerance = 4 * r.monteCarloError + 4 * (ps * (2 - ps) / 200_000).squareRoot()
                XCTAssertLessThanOrEqual(abs(r.pValue - ps), tolerance, "\(c.name): \(r.pValue) vs scipy \(ps)")
            }
        }
    }

    func testSignFlipCannotGoBelowTwoToTheOneMinusN() throws {
        // Whatever the effect, 3 pairs of the same sign give p = 0.25 and 5 give 0.0625.
        XCTAssertEqual(try SignFlipTest(differences: [1e6, 2e6, 3e6]).pValue, 0.25)
        XCTAssertEqual(try SignFlipTest(differences: [0.1, 0.2, 0.3, 0.4, 0.5]).pValue, 0.0625)
        XCTAssertEqual(SignFlipTest.smallestAttainable(pairs: 20), 1.0 / 524_288)
        XCTAssertEqual(PairedPower.signFlipMinimumPairs(alpha: 0.05), 6)
        XCTAssertThrowsError(try SignFlipTest(differences: []))
        XCTAssertThrowsError(try SignFlipTest(differences: [1, .nan]))
    }

    func testPowerDetectableEffectAndPairsNeededMatchScipyNoncentralT() throws {
        for c in Self.fixture.power.power {
            let p = try PairedPower.power(standardizedEffect: c.effect, pairs: c.n)
            assertClose(p, c.power, rel: 1e-9, "power n=\(c.n) effect=\(c.effect)")
        }
        for c in Self.fixture.power.detectable {
            let e = try PairedPower.detectableEffect(pairs: c.n)
            assertClose(e, c.effect, rel: 1e-9, "detectable effect n=\(c.n)")
        }
        for c in Self.fixture.power.pairs_needed {
            XCTAssertEqual(try PairedPower.pairsNeeded(standardizedEffect: c.effect), c.pairs, "effect \(c.effect)")
        }
    }

    func testHolmMatchesStatsmodels() {
        for c in Self.fixture.holm {
            let adjusted = Holm.adjust(c.p)
            for (a, b) in zip(adjusted, c.adjusted) { assertClose(a, b, rel: 1e-15, "holm \(c.p)") }
        }
        XCTAssertEqual(Holm.adjust([0.01, nil, 0.04]), [0.02, nil, 0.04], "nil is not counted in m")
    }

    func testWilsonMcNemarAndNormalQuantileMatchScipyAndStatsmodels() throws {
        for c in Self.fixture.proportions.wilson {
            let ci = try WilsonInterval.interval(successes: c.k, trials: c.n)
            assertClose(ci.lower, c.lower, rel: 1e-12, abs: 1e-15, "wilson \(c.k)/\(c.n) lower")
            assertClose(ci.upper, c.upper, rel: 1e-12, abs: 1e-15, "wilson \(c.k)/\(c.n) upper")
        }
        for c in Self.fixture.proportions.mcnemar {
            let r = try ExactMcNemar(armOnly: c.arm_only, referenceOnly: c.reference_only)
            assertClose(r.pValue, c.p, rel: 1e-10, "mcnemar \(c.arm_only)/\(c.reference_only)")
        }
        for c in Self.fixture.proportions.normal_quantile {
            assertClose(try StandardNormal.quantile(c.p), c.quantile, rel: 1e-12, abs: 1e-15, "normal quantile \(c.p)")
        }
    }

    func testIQMAndProbabilityOfImprovementMatchRliable() throws {
        for c in Self.fixture.aggregates {
            assertClose(try Aggregates.interquartileMean(c.x), c.iqm, rel: 1e-14, "\(c.name) IQM")
            assertClose(try Aggregates.probabilityOfImprovement(c.x, over: c.y), c.poi, rel: 1e-14, "\(c.name) P(X > Y)")
            let iqm = try Aggregates.stratifiedBootstrap([c.x], resamples: c.resamples, seed: c.iqm_seed) {
                try Aggregates.interquartileMean($0[0])
            }
            let poi = try Aggregates.stratifiedBootstrap([c.x, c.y], resamples: c.resamples, seed: c.poi_seed) {
                try Aggregates.probabilityOfImprovement($0[0], over: $0[1])
            }
            // The documented resampling, replayed: the same interval.
            assertClose(iqm.lower, c.iqm_ci[0], rel: 1e-12, abs: 1e-15, "\(c.name) IQM interval lower")
            assertClose(iqm.upper, c.iqm_ci[1], rel: 1e-12, abs: 1e-15, "\(c.name) IQM interval upper")
            assertClose(poi.lower, c.poi_ci[0], rel: 1e-12, abs: 1e-15, "\(c.name) P(X > Y) interval lower")
            assertClose(poi.upper, c.poi_ci[1], rel: 1e-12, abs: 1e-15, "\(c.name) P(X > Y) interval upper")
            // rliable's own stratified bootstrap (other RNG): Monte Carlo agreement. Percentiles of
            // a few runs are coarse (P(X > Y) moves in steps of 1/(n m)): 0.1 absolute covers
            // two such steps at n = 5 and ~4 Monte Carlo standard errors at n ≥ 10.
            XCTAssertEqual(iqm.lower, c.rliable_iqm_ci[0], accuracy: 0.1 * max(1, abs(c.iqm)), c.name)
            XCTAssertEqual(iqm.upper, c.rliable_iqm_ci[1], accuracy: 0.1 * max(1, abs(c.iqm)), c.name)
            XCTAssertEqual(poi.lower, c.rliable_poi_ci[0], accuracy: 0.1, c.name)
            XCTAssertEqual(poi.upper, c.rliable_poi_ci[1], accuracy: 0.1, c.name)
        }
    }
}
