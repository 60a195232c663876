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
        }
        struct CDFPoint: Decodable { let df: Double, t: Double, cdf: Double, sf: Double, pdf: Double, two_sided: Double }
        struct QuantilePoint: Decodable { let df: Double, p: Double, quantile: Double }
        let paired: [Paired]
        let t_cdf: [CDFPoint]
        let t_quantile: [QuantilePoint]
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
}
