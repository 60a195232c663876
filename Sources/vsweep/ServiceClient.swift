import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `vsweep run` and `vsweep compare` hand their spec to a running `vsweep serve` instead
/// of running it in this process, when one is found for the same database:
/// `--service auto` (the default) reads `<db folder>/service/endpoint.json`, which a
/// running daemon writes (address, pid, token file, database) and removes at a clean
/// stop; it is used when its pid is alive and its database is this `--db`. `--service
/// URL` names a daemon (token from `<db folder>/service/token`); `--service off` always
/// runs in-process. Submitted, the command follows the sweep until it ends (Ctrl-C stops
/// following, not the sweep) or returns at once with `--detach`.
struct ServiceClientOptions: ParsableArguments {
    @Option(help: "auto: submit to a vsweep serve running on this database if one is found; off: run here; or a URL.")
    var service = "auto"
    @Flag(help: "With a service: return once the spec is queued, without following the sweep.") var detach = false

    struct Target {
        var url: String
        var token: String
    }

    /// The daemon to submit to, nil to run in-process.
    func target(db: String) throws -> Target? {
        if service == "off" { return nil }
        let serviceDirectory = (URL(fileURLWithPath: db).standardizedFileURL.deletingLastPathComponent().path as NSString)
            .appendingPathComponent("service")
        if service != "auto" {
            guard let url = URL(string: service), url.scheme == "http", url.host != nil else {
                throw ValidationError("--service must be auto, off or an http URL (got \(service))")
            }
            return Target(url: service, token: try token(at: serviceDirectory + "/token"))
        }
        guard let data = FileManager.default.contents(atPath: serviceDirectory + "/endpoint.json"),
              let found = try? JSONDecoder().decode(Discovery.self, from: data) else { return nil }
        // A file left by a killed daemon, or a daemon on another database: run here.
        guard kill(found.pid, 0) == 0 || errno == EPERM,
              found.database == URL(fileURLWithPath: db).standardizedFileURL.path else { return nil }
        return Target(url: found.url, token: try token(at: found.tokenFile))
    }

    private struct Discovery: Decodable {
        var url: String
        var pid: Int32
        var tokenFile: String
        var database: String
    }

    private func token(at path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the service token \(path)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Submits the spec file and, unless `--detach`, follows the sweep to its end.
    /// Returns the sweep's name and final state (`queued` when detached).
    func submit(specPath: String, kind: String, to target: Target, quiet: Bool) throws -> (name: String, state: String) {
        guard let text = try? String(contentsOfFile: specPath, encoding: .utf8) else {
            log("error: \(specPath): cannot read the spec (no such file or not UTF-8 text)")
            throw ExitCode(2)
        }
        let body = try JSONSerialization.data(withJSONObject: ["spec": text, "kind": kind])
        let (status, reply) = try HTTP.call("POST", target.url + "/api/v1/sweeps", token: target.token, body: body)
        guard status == 201 else {
            let error = reply["error"] as? [String: Any]
            var message = error?["message"] as? String ?? "HTTP \(status)"
            // The daemon names the text "submitted spec"; here it came from this file.
            message = message.replacingOccurrences(of: "submitted spec", with: specPath)
            log("error: the service refused the spec: \(message)")
            throw ExitCode(status == 400 || status == 409 ? 2 : 1)
        }
        let name = reply["name"] as? String ?? ""
        log("submitted \(name) to the service at \(target.url) (dashboard: \(target.url)/#token=…); "
            + (detach ? "not following (--detach)" : "following it; Ctrl-C stops following, not the sweep"))
        if detach { return (name, "queued") }
        var last = ""
        while true {
            let (code, sweep) = try HTTP.call("GET", target.url + "/api/v1/sweeps/" + name, token: target.token, body: nil)
            guard code == 200 else { throw ExitCode(1) }
            let state = sweep["state"] as? String ?? ""
            let counts = (sweep["trials"] as? [String: Int] ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            let line = "\(name): \(state); trials: \(counts.isEmpty ? "none yet" : counts)"
            if line != last && !quiet { print(line) }
            last = line
            if ["finished", "failed", "cancelled"].contains(state) { return (name, state) }
            Thread.sleep(forTimeInterval: 1)
        }
    }
}

/// A blocking JSON request (the CLI has nothing else to do meanwhile).
enum HTTP {
    static func call(_ method: String, _ url: String, token: String, body: Data?) throws -> (Int, [String: Any]) {
        guard let address = URL(string: url) else { throw ValidationError("bad service URL \(url)") }
        var request = URLRequest(url: address)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        final class Box: @unchecked Sendable { var result: (Int, Data?, Error?) = (0, nil, nil) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            box.result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data, error)
            done.signal()
        }.resume()
        done.wait()
        if let error = box.result.2 {
            log("error: cannot reach the service at \(url): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        let object = box.result.1.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        return (box.result.0, object)
    }
}
