import Hummingbird

/// The dashboard pages (`/`): static HTML and JS shipped in the binary, no CDN.
enum Dashboard {
    static func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
    }
}
