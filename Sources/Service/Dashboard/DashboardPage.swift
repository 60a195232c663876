/// The dashboard's HTML shell: styles inline, the script from `/static/dashboard.js`.
/// Nothing is fetched from outside the daemon (works offline, no CDN).
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>vsweep</title>
    <style>
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
    header { background: #1f2937; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: baseline; }
    header a { color: #fff; text-decoration: none; font-weight: 600; }
    header .meta { color: #9ca3af; font-size: 12px; }
    main { padding: 12px 16px; max-width: 1400px; }
    section { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 10px 12px; margin: 0 0 12px; }
    h1 { font-size: 20px; margin: 4px 0 10px; } h2 { font-size: 15px; margin: 0 0 8px; }
    table { border-collapse: collapse; font-size: 13px; }
    th, td { border-bottom: 1px solid #eee; padding: 3px 8px; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .state { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px; background: #e5e7eb; }
    .state.running, .state.active { background: #dbeafe; } .state.finished, .state.completed { background: #dcfce7; }
    .state.failed, .state.cancelled { background: #fee2e2; } .state.paused, .state.pausing { background: #fef3c7; }
    .bar { width: 120px; height: 8px; background: #eee; display: inline-block; border-radius: 4px; overflow: hidden; }
    .bar i { display: block; height: 100%; background: #2563eb; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; }
    .figure svg { max-width: 100%; height: auto; }
    .pc .line { fill: none; stroke: #2563eb; stroke-opacity: .55; }
    .pc .line.dim { stroke: #d1d5db; stroke-opacity: .35; }
    .pc .brush { fill: #f59e0b; fill-opacity: .25; stroke: #b45309; }
    .pc .axis-hit { fill: transparent; cursor: crosshair; }
    .live .trial { fill: none; stroke-width: 1.2; }
    button { font: inherit; padding: 2px 10px; margin-right: 6px; }
    pre { background: #111827; color: #e5e7eb; padding: 8px; overflow: auto; max-height: 300px; font-size: 12px; }
    .err { color: #b91c1c; }
    [hidden] { display: none !important; }
    </style>
    </head>
    <body>
    <header><a href="#/">vsweep</a><span class="meta" id="conn">connecting…</span></header>
    <main id="app"><p id="status">loading…</p></main>
    <script src="/static/dashboard.js"></script>
    </body>
    </html>
    """#
}
