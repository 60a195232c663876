import Foundation
import XCTest

/// The daemon's front door, over real loopback HTTP: token, Host header, body size,
/// spec errors with line and field, names that could escape runs/.
final class ServiceSecurityTests: XCTestCase {
    func testRequestsWithoutOrWithAWrongTokenOrAForeignHostAreRefused() throws {
        let daemon = try DaemonFixture(slots: 1)
        try daemon.start()
        defer { daemon.stop() }
        let http = daemon.http

        XCTAssertEqual(try http.get("/api/v1/health").status, 200)
        XCTAssertEqual(try http.get("/api/v1/health", token: .some(nil)).status, 401, "no token")
        XCTAssertEqual(try http.get("/api/v1/sweeps", token: "0123456789abcdef0123456789abcdef").status, 401, "wrong token")
        let foreign = try http.get("/api/v1/health", host: "attacker.example:\(http.port)")
        XCTAssertEqual(foreign.status, 403, "a DNS-rebinding Host is refused even with the token")
        XCTAssertTrue(foreign.text.contains("Host header"), foreign.text)
        XCTAssertEqual(try http.get("/api/v1/health", host: "localhost:\(http.port)").status, 200)

        let mode = try FileManager.default.attributesOfItem(atPath: daemon.storage + "/service/token")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600, "the token file is readable by the user only")
    }

    func testSpecErrorsAndOversizedBodiesAreFourHundreds() throws {
        let daemon = try DaemonFixture(slots: 1)
        try daemon.start()
        defer { daemon.stop() }
        let http = daemon.http

        let bad = try http.post("/api/v1/sweeps", json: ["spec": "name: bad\nengine: builtin\nspace:\n  x: {uniform: [1, 0]}\n"])
        XCTAssertEqual(bad.status, 400)
        let error = bad.object["error"] as? [String: Any] ?? [:]
        XCTAssertEqual(error["line"] as? Int, 4, bad.text)
        XCTAssertEqual(error["field"] as? String, "space.x.uniform", bad.text)
        XCTAssertEqual(error["source"] as? String, "submitted spec", bad.text)

        let escaping = try http.post("/api/v1/sweeps", json: ["spec": daemon.spec(name: "../../etc", trials: 1)])
        XCTAssertEqual(escaping.status, 400, "a name that would leave runs/ is refused: \(escaping.text)")
        XCTAssertEqual((escaping.object["error"] as? [String: Any])?["field"] as? String, "name")

        let trialFile = try http.post("/api/v1/sweeps", json: ["spec": "name: t\ntrial_file: /etc/passwd\n"])
        XCTAssertEqual(trialFile.status, 400)
        XCTAssertEqual((trialFile.object["error"] as? [String: Any])?["field"] as? String, "trial_file")

        let huge = try http.post("/api/v1/sweeps", json: ["spec": String(repeating: "#", count: 300_000)])
        XCTAssertEqual(huge.status, 413)

        XCTAssertEqual(try http.get("/api/v1/sweeps/..%2Fetc").status, 400)
        XCTAssertEqual(try http.get("/api/v1/sweeps/nope").status, 404)
    }

    func testANonLoopbackAddressIsRefusedWithoutTheExplicitFlag() throws {
        let dir = NSTemporaryDirectory() + "vsweep-serve-remote-\(getpid())"
        // Refused before binding anything: the test never listens off loopback.
        let result = try RunSubmitsToServiceTests.vsweep(["serve", "--host", "0.0.0.0", "--port", "0",
                                                          "--storage", dir + "/storage", "--runs", dir + "/runs"])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.output.contains("--allow-remote"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/storage/service/endpoint.json"))
    }
}
