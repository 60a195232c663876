import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `--webhook URL`: one JSON POST when a sweep ends, received by a listener the test runs
/// on a loopback port.
final class WebhookTests: XCTestCase {
    func testASweepThatFinishesIsPostedToTheWebhook() throws {
        let listener = try OneRequestListener()
        let daemon = try DaemonFixture(slots: 2)
        try daemon.start(["--webhook", "http://127.0.0.1:\(listener.port)/hook"])
        defer { daemon.stop() }
        XCTAssertEqual(try daemon.http.post("/api/v1/sweeps", json: ["spec": daemon.spec(name: "hooked", trials: 2)]).status, 201)
        let request = try listener.wait(seconds: 120)
        XCTAssertTrue(request.hasPrefix("POST /hook "), request)
        let body = request.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(json["event"] as? String, "sweep_ended")
        XCTAssertEqual(json["sweep"] as? String, "hooked")
        XCTAssertEqual(json["state"] as? String, "finished")
    }
}

/// Accepts one HTTP request on a free loopback port, answers 204, keeps what it read.
final class OneRequestListener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var received: String?

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound, listen(fd, 4) == 0 else { throw HTTPTestError("cannot listen on loopback") }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    deinit { close(fd) }

    private func serve() {
        let client = accept(fd, nil, nil)
        guard client >= 0 else { return }
        defer { close(client) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        // Reads the head, then the body up to Content-Length.
        while true {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            let text = String(decoding: data, as: UTF8.self)
            if let split = text.range(of: "\r\n\r\n") {
                let head = text[..<split.lowerBound].lowercased()
                let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text[split.upperBound...].utf8.count >= length { break }
            }
        }
        let reply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
        _ = reply.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        lock.lock()
        received = String(decoding: data, as: UTF8.self)
        lock.unlock()
    }

    func wait(seconds: Double) throws -> String {
        var result: String?
        try waitUntil("the webhook is called", seconds: seconds) {
            lock.lock()
            result = received
            lock.unlock()
            return result != nil
        }
        return result!
    }
}
