import Foundation
import Hummingbird

/// Who may talk to the daemon. Every request's Host header must name the daemon as a
/// loopback address (or the address it was explicitly bound to), so a web page on
/// another origin cannot reach it through DNS rebinding; every request under `/api/`
/// and `/metrics` must carry `Authorization: Bearer <token>`. The dashboard page
/// itself (`/`, `/static/`) carries no data and is served without the token; it reads
/// the token from its URL fragment, which browsers never send to a server.
struct AccessPolicy<Context: RequestContext>: RouterMiddleware {
    let token: String
    let allowedHosts: Set<String>

    /// Host names (without port) accepted for a daemon bound to `bindHost`.
    static func hosts(bindHost: String) -> Set<String> {
        var hosts: Set<String> = ["127.0.0.1", "localhost", "[::1]", "::1"]
        hosts.insert(bindHost.contains(":") && !bindHost.hasPrefix("[") ? "[\(bindHost)]" : bindHost)
        return hosts
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority, hostAllowed(authority) else {
            return APIResponse.error(.forbidden, "the Host header must name this daemon on a loopback address "
                                     + "(got \(request.head.authority ?? "none"))")
        }
        let path = request.uri.path
        if path.hasPrefix("/api/") || path == "/metrics" {
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                  ServiceToken.matches(header.dropFirst("Bearer ".count), token) else {
                var response = APIResponse.error(.unauthorized,
                                                 "missing or wrong bearer token (it is in storage/service/token)")
                response.headers[.wwwAuthenticate] = "Bearer"
                return response
            }
        }
        return try await next(request, context)
    }

    /// `host` or `host:port`, IPv6 in brackets.
    private func hostAllowed(_ authority: String) -> Bool {
        var host = authority.lowercased()
        if host.hasPrefix("[") {
            if let close = host.firstIndex(of: "]") { host = String(host[...close]) }
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        return allowedHosts.contains(host)
    }
}
