import Hummingbird

/// The dashboard (`/`): one HTML page and one script, both compiled into the binary
/// (no CDN, no build step). They carry no data, so they are served without the token;
/// every figure and number comes from the token-protected API.
enum Dashboard {
    static func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            page(DashboardPage.html, type: "text/html; charset=utf-8")
        }
        router.get("/static/dashboard.js") { _, _ in
            page(DashboardScript.js, type: "text/javascript; charset=utf-8")
        }
    }

    private static func page(_ text: String, type: String) -> Response {
        Response(status: .ok,
                 headers: [.contentType: type, .cacheControl: "no-store",
                           // Only the daemon's own script and API; no inline script, no other origin.
                           .contentSecurityPolicy: "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
                           .xContentTypeOptions: "nosniff"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
