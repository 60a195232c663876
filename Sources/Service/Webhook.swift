import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The optional notification: one JSON POST when a sweep finishes, fails or is
/// cancelled. Best effort: a failure is logged, never retried, never blocks the daemon.
enum Webhook {
    struct Body: Encodable {
        var event = "sweep_ended"
        var sweep: String
        var kind: String
        var state: String
        var error: String?
    }

    static func post(url: URL, entry: QueueEntry, log: @escaping @Sendable (String) -> Void) {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.timeoutInterval = 10
        request.httpBody = try? JSONEncoder().encode(
            Body(sweep: entry.name, kind: entry.kind.rawValue, state: entry.state.rawValue, error: entry.error))
        URLSession.shared.dataTask(with: request) { _, response, error in
            if let error { log("webhook \(url): \(error)") }
            else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                log("webhook \(url): HTTP \(http.statusCode)")
            }
        }.resume()
    }
}
