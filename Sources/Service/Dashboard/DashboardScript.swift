/// The dashboard's script (hand-written, no build step, no libraries). It takes the
/// token from the URL fragment once, keeps it in sessionStorage (this tab only) and
/// removes it from the address bar; every API call sends it as a bearer header. Live
/// updates come from `/api/v1/events` read with fetch (EventSource cannot send headers).
enum DashboardScript {
    static let js = #"""
    'use strict';
    (function () {
      const frag = new URLSearchParams(location.hash.replace(/^#\/?/, ''));
      if (frag.get('token')) {
        sessionStorage.setItem('vsweep-token', frag.get('token'));
        history.replaceState(null, '', location.pathname + '#/');
      }
    })();
    const token = sessionStorage.getItem('vsweep-token');
    const app = document.getElementById('app');
    const conn = document.getElementById('conn');
    let stream = null;          // AbortController of the current event stream
    let viewSerial = 0;         // bumped at each navigation; late answers of old views are dropped

    function esc(s) {
      return String(s == null ? '' : s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
    }
    function fmt(x) {
      if (x == null || x === '') return '';
      if (typeof x === 'number') return Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : String(+x.toPrecision(5));
      return String(x);
    }
    async function api(path, opts) {
      const o = Object.assign({headers: {}}, opts || {});
      o.headers['Authorization'] = 'Bearer ' + token;
      const r = await fetch(path, o);
      if (!r.ok) {
        let msg = r.status + '';
        try { msg = (await r.json()).error.message; } catch (e) {}
        throw new Error(msg);
      }
      const type = r.headers.get('content-type') || '';
      return type.includes('json') ? r.json() : r.text();
    }

    /// Server-sent events over fetch; calls onChange(data) per `change` event, reconnects.
    function listen(query, onChange) {
      if (stream) stream.abort();
      const ctrl = new AbortController();
      stream = ctrl;
      let q = query;
      (async function loop() {
        while (!ctrl.signal.aborted) {
          try {
            const r = await fetch('/api/v1/events?' + q(), {headers: {'Authorization': 'Bearer ' + token}, signal: ctrl.signal});
            if (!r.ok) throw new Error('events: ' + r.status);
            conn.textContent = 'live';
            const reader = r.body.getReader();
            const dec = new TextDecoder();
            let buf = '';
            for (;;) {
              const {value, done} = await reader.read();
              if (done) break;
              buf += dec.decode(value, {stream: true});
              let i;
              while ((i = buf.indexOf('\n\n')) >= 0) {
                const block = buf.slice(0, i); buf = buf.slice(i + 2);
                let ev = '', data = '';
                for (const line of block.split('\n')) {
                  if (line.startsWith('event:')) ev = line.slice(6).trim();
                  else if (line.startsWith('data:')) data += line.slice(5).trim();
                }
                if (ev === 'change' && data) onChange(JSON.parse(data));
              }
            }
          } catch (e) {
            if (ctrl.signal.aborted) return;
            conn.textContent = 'reconnecting…';
          }
          await new Promise(res => setTimeout(res, 1000));
        }
      })();
    }

    function route() {
      viewSerial++;
      if (!token) {
        app.innerHTML = '<p class="err">No token. Open the address the daemon printed, with #token=… (the token is in storage/service/token).</p>';
        return;
      }
      const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
      if (parts[0] === 'sweep' && parts[1]) return sweepView(parts[1]);
      if (parts[0] === 'trial' && parts[1] && parts[2]) return trialView(parts[1], parts[2]);
      return listView();
    }
    window.addEventListener('hashchange', route);

    // ---- sweeps list ----
    async function listView() {
      const serial = viewSerial;
      app.innerHTML = '<h1>Sweeps</h1><section><table id="sweeps"></table></section>';
      async function draw() {
        const data = await api('/api/v1/sweeps');
        if (serial !== viewSerial) return;
        const rows = data.sweeps.map(s => {
          const ended = ['completed', 'stopped_early', 'failed', 'timed_out', 'cancelled'].reduce((a, k) => a + (s.trials[k] || 0), 0);
          const total = s.max_trials || s.trials_total || 1;
          const pct = Math.min(100, Math.round(100 * ended / total));
          return '<tr><td><a href="#/sweep/' + encodeURIComponent(s.name) + '">' + esc(s.name) + '</a></td><td>' + esc(s.kind) +
            '</td><td><span class="state ' + esc(s.state) + '">' + esc(s.state) + '</span></td><td><span class="bar"><i style="width:' + pct +
            '%"></i></span> ' + ended + '/' + (s.max_trials || s.trials_total) + '</td><td class="num">' + (s.trials.running || 0) +
            '</td><td class="num">' + (s.best ? fmt(s.best.value) + ' (trial ' + s.best.number + ')' : '') + '</td></tr>';
        });
        document.getElementById('sweeps').innerHTML = '<tr><th>sweep</th><th>kind</th><th>state</th><th>progress</th><th>running</th><th>best</th></tr>' + rows.join('');
      }
      await draw();
      listen(() => '', () => { if (serial === viewSerial) draw(); });
    }

    // ---- a sweep ----
    async function sweepView(name) {
      const serial = viewSerial;
      const enc = encodeURIComponent(name);
      app.innerHTML = '<h1 id="title"></h1><section id="controls"></section>' +
        '<div class="grid"><section><h2>Live intermediate values</h2><div id="live" class="live"></div></section>' +
        '<section id="history-box"><h2>Optimization history</h2><div class="figure" id="fig-history"></div></section></div>' +
        '<section><h2>Parallel coordinates <small id="pc-count"></small></h2><div id="pc" class="pc"></div><div id="pc-table"></div></section>' +
        '<section id="importance-box"><h2>Parameter importance <small>(PED-ANOVA over completed trials, as Optuna computes it)</small></h2><div id="importance"></div></section>' +
        '<div class="grid" id="contour-rungs"><section><h2>Contour</h2><div id="contour-controls"></div><div id="contour"></div></section>' +
        '<section><h2>Rungs</h2><div class="figure" id="fig-rungs"></div></section></div>' +
        '<section id="comparison" hidden></section>' +
        '<section id="params-box"><h2>Metric against each parameter</h2><div class="grid" id="fig-params"></div></section>' +
        '<section><h2>Best trials</h2><div id="trials"></div></section>' +
        '<section><h2>All trials <small id="tp-count"></small></h2><div id="tp-controls"></div><div id="trial-page"></div></section>';
      let sweep;
      try { sweep = await api('/api/v1/sweeps/' + enc); } catch (e) { app.innerHTML = '<p class="err">' + esc(e.message) + '</p>'; return; }
      if (sweep.kind === 'comparison') {
        // Arms × seeds, not a search: the comparison's tables and figures replace the search views.
        for (const id of ['history-box', 'importance-box', 'contour-rungs', 'params-box']) document.getElementById(id).hidden = true;
        document.getElementById('controls').after(document.getElementById('comparison'));
      }
      const goal = sweep.goal || 'minimize';
      const curves = new Map();     // trial number -> [[step, value], ...]
      let running = new Set();
      let cursor = 0;
      let trials = [];
      let trialsSignature = null;
      const brushes = {};           // axis -> [lo, hi] in data units

      function header(s) {
        document.getElementById('title').innerHTML = esc(s.name) + ' <span class="state ' + esc(s.state) + '">' + esc(s.state) + '</span>';
        const live = s.service && !['finished', 'failed', 'cancelled'].includes(s.service.state);
        document.getElementById('controls').innerHTML = (s.metric ? 'metric <b>' + esc(s.metric) + '</b> (' + esc(s.goal) + '), ' : '') +
          Object.entries(s.trials).map(([k, v]) => v + ' ' + esc(k)).join(', ') + ' ' +
          (live ? '<button data-a="pause">pause</button><button data-a="resume">resume</button><button data-a="cancel">cancel</button>' : '');
        for (const b of document.querySelectorAll('#controls button')) {
          b.onclick = async () => { try { await api('/api/v1/sweeps/' + enc + '/' + b.dataset.a, {method: 'POST'}); refresh(); } catch (e) { alert(e.message); } };
        }
      }
      function addReports(reports) {
        for (const r of reports) {
          if (r.objective == null) continue;
          if (!curves.has(r.trial)) curves.set(r.trial, []);
          curves.get(r.trial).push([r.step, r.objective]);
        }
      }
      async function loadFigure(id, fig) {
        try {
          const svg = await api('/api/v1/sweeps/' + enc + '/figures/' + encodeURIComponent(fig));
          if (serial === viewSerial) document.getElementById(id).innerHTML = svg;
        } catch (e) { document.getElementById(id).textContent = e.message; }
      }
      async function refresh() {
        const [s, run, page] = await Promise.all([
          api('/api/v1/sweeps/' + enc),
          api('/api/v1/sweeps/' + enc + '/trials?state=running&limit=1000'),
          api('/api/v1/sweeps/' + enc + '/trials?limit=1000&sort=number')]);
        if (serial !== viewSerial) return;
        header(s);
        running = new Set(run.trials.map(t => t.number));
        // Redraw the trial views only when a trial changed: a redraw in the middle of a
        // brush gesture (other sweeps report all the time) would drop it.
        const signature = page.trials.map(t => t.number + ':' + t.state + ':' + t.final_value).join(',');
        const changed = signature !== trialsSignature;
        trials = page.trials;
        trialsSignature = signature;
        drawLive();
        if (changed) { drawPC(); drawContour(); drawBest(); drawTrialPage().catch(() => {}); }
      }
      let figuresDue = 0;
      function refreshFigures() {
        const now = Date.now();
        if (now < figuresDue) return;
        figuresDue = now + 3000;
        if (sweep.kind === 'comparison') return;
        loadFigure('fig-history', 'history');
        loadFigure('fig-rungs', 'rungs');
        if (sweep.kind !== 'comparison') drawImportance();
        api('/api/v1/sweeps/' + enc + '/figures').then(list => {
          const params = list.figures.filter(f => f.startsWith('param-'));
          const box = document.getElementById('fig-params');
          box.innerHTML = params.map(f => '<div class="figure" id="fig-' + esc(f) + '"></div>').join('');
          params.forEach(f => loadFigure('fig-' + f, f));
        }).catch(() => {});
      }

      async function drawImportance() {
        const box = document.getElementById('importance');
        try {
          const r = await api('/api/v1/sweeps/' + enc + '/importance');
          if (serial !== viewSerial) return;
          if (r.trials_used < 2) { box.innerHTML = '<p>needs at least 2 completed trials (' + r.trials_used + ' so far)</p>'; return; }
          box.innerHTML = '<table>' + r.importances.map(e => '<tr><td>' + esc(e.param) + '</td><td><span class="bar" style="width:240px"><i style="width:' +
            (100 * e.importance).toFixed(1) + '%"></i></span></td><td class="num">' + e.importance.toFixed(3) + '</td></tr>').join('') +
            '</table><small>' + r.trials_used + ' completed trials; top 10 % against all</small>';
        } catch (e) { box.textContent = e.message; }
      }

      // Live curves: every trial's objective by step; running trials in colour.
      function drawLive() {
        const W = 640, H = 300, L = 56, B = 30;
        let xs = [], ys = [];
        for (const pts of curves.values()) for (const [x, y] of pts) { xs.push(x); ys.push(y); }
        const box = document.getElementById('live');
        const count = xs.length;
        if (!count) { box.innerHTML = '<p>no reports yet</p>'; box.dataset.points = '0'; return; }
        const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-12);
        const sx = x => L + (W - L - 10) * (x - x0) / (x1 - x0), sy = y => H - B - (H - B - 10) * (y - y0) / (y1 - y0);
        const palette = ['#2563eb', '#dc2626', '#059669', '#7c3aed', '#d97706', '#db2777', '#0891b2', '#4b5563'];
        let parts = [], i = 0;
        for (const [n, pts] of [...curves.entries()].sort((a, b) => running.has(a[0]) - running.has(b[0]))) {
          const live = running.has(n);
          const d = pts.map((p, k) => (k ? 'L' : 'M') + sx(p[0]).toFixed(1) + ',' + sy(p[1]).toFixed(1)).join('');
          parts.push('<path class="trial" data-trial="' + n + '" d="' + d + '" stroke="' + (live ? palette[i++ % palette.length] : '#cbd5e1') + '"><title>trial ' + n + '</title></path>');
        }
        const axes = '<line x1="' + L + '" y1="' + (H - B) + '" x2="' + W + '" y2="' + (H - B) + '" stroke="#999"/><line x1="' + L + '" y1="0" x2="' + L + '" y2="' + (H - B) + '" stroke="#999"/>' +
          '<text x="' + L + '" y="' + (H - 8) + '" font-size="11">' + fmt(x0) + '</text><text x="' + (W - 40) + '" y="' + (H - 8) + '" font-size="11">' + fmt(x1) + ' updates</text>' +
          '<text x="2" y="12" font-size="11">' + fmt(y1) + '</text><text x="2" y="' + (H - B) + '" font-size="11">' + fmt(y0) + '</text>';
        box.innerHTML = '<svg viewBox="0 0 ' + W + ' ' + H + '" width="' + W + '" height="' + H + '">' + axes + parts.join('') + '</svg>' +
          '<div><small>' + count + ' reports of ' + curves.size + ' trials; ' + running.size + ' running (coloured)</small></div>';
        box.dataset.points = String(count);
      }

      // Parallel coordinates with brushing: drag along an axis to keep a range.
      function pcAxes() {
        const names = [...new Set(trials.flatMap(t => Object.keys(t.params)))].sort();
        return names.concat(['objective']);
      }
      function pcValue(t, a) {
        if (a === 'objective') return t.final_value;
        const v = t.params[a];
        return typeof v === 'number' ? v : (v == null ? null : String(v));
      }
      function drawPC() {
        const box = document.getElementById('pc');
        const ended = trials.filter(t => t.final_value != null);
        if (!ended.length) { box.innerHTML = '<p>no ended trials yet</p>'; document.getElementById('pc-count').textContent = ''; return; }
        const axes = pcAxes(), W = Math.max(640, axes.length * 150), H = 280, T = 24, Bt = 24;
        const ax = i => 40 + (W - 80) * i / Math.max(1, axes.length - 1);
        const scales = axes.map(a => {
          const vals = ended.map(t => pcValue(t, a)).filter(v => v != null);
          if (vals.every(v => typeof v === 'number')) {
            let lo = Math.min(...vals), hi = Math.max(...vals); if (hi === lo) { hi = lo + 1; }
            return {kind: 'num', lo, hi, y: v => T + (H - T - Bt) * (1 - (v - lo) / (hi - lo)), inv: y => lo + (1 - (y - T) / (H - T - Bt)) * (hi - lo)};
          }
          const cats = [...new Set(vals.map(String))].sort();
          return {kind: 'cat', cats, y: v => T + (H - T - Bt) * (cats.length === 1 ? .5 : cats.indexOf(String(v)) / (cats.length - 1)),
                  inv: y => y};
        });
        const selected = t => axes.every((a, i) => {
          const b = brushes[a]; if (!b) return true;
          const v = pcValue(t, a); if (v == null) return false;
          const y = scales[i].y(v); return y >= b[0] && y <= b[1];
        });
        let lines = [], kept = [];
        for (const t of ended) {
          const ok = selected(t); if (ok) kept.push(t);
          const d = axes.map((a, i) => { const v = pcValue(t, a); return (i ? 'L' : 'M') + ax(i).toFixed(1) + ',' + (v == null ? H - Bt : scales[i].y(v)).toFixed(1); }).join('');
          lines.push('<path class="line' + (ok ? '' : ' dim') + '" data-trial="' + t.number + '" d="' + d + '"><title>trial ' + t.number + '</title></path>');
        }
        let deco = axes.map((a, i) => {
          const s = scales[i];
          const lo = s.kind === 'num' ? fmt(s.lo) : s.cats[0], hi = s.kind === 'num' ? fmt(s.hi) : s.cats[s.cats.length - 1];
          const b = brushes[a];
          return '<line x1="' + ax(i) + '" y1="' + T + '" x2="' + ax(i) + '" y2="' + (H - Bt) + '" stroke="#555"/>' +
            '<text x="' + ax(i) + '" y="14" font-size="12" text-anchor="middle">' + esc(a) + '</text>' +
            '<text x="' + (ax(i) + 4) + '" y="' + (T + 10) + '" font-size="10">' + esc(hi) + '</text>' +
            '<text x="' + (ax(i) + 4) + '" y="' + (H - Bt) + '" font-size="10">' + esc(lo) + '</text>' +
            (b ? '<rect class="brush" x="' + (ax(i) - 8) + '" y="' + b[0] + '" width="16" height="' + (b[1] - b[0]) + '"/>' : '') +
            '<rect class="axis-hit" data-axis="' + esc(a) + '" x="' + (ax(i) - 12) + '" y="' + T + '" width="24" height="' + (H - T - Bt) + '"/>';
        }).join('');
        box.innerHTML = '<svg id="pc-svg" viewBox="0 0 ' + W + ' ' + H + '" width="' + W + '" height="' + H + '">' + lines.join('') + deco + '</svg>';
        document.getElementById('pc-count').textContent = kept.length + ' of ' + ended.length + ' trials selected' + (Object.keys(brushes).length ? ' (click an axis to clear its range)' : '');
        document.getElementById('pc-count').dataset.selected = String(kept.length);
        document.getElementById('pc-table').innerHTML = trialTable(kept.slice(0, 20));
        const svg = document.getElementById('pc-svg');
        for (const hit of svg.querySelectorAll('.axis-hit')) {
          hit.addEventListener('mousedown', ev => {
            ev.preventDefault();
            const a = hit.dataset.axis;
            const pt = e => { const r = svg.getBoundingClientRect(); return (e.clientY - r.top) * H / r.height; };
            const start = pt(ev);
            let moved = false;
            const move = e => { moved = true; const y = pt(e); brushes[a] = [Math.max(T, Math.min(start, y)), Math.min(H - Bt, Math.max(start, y))]; drawPC(); };
            const up = e => { window.removeEventListener('mousemove', move); window.removeEventListener('mouseup', up); if (!moved) { delete brushes[a]; drawPC(); } };
            window.addEventListener('mousemove', move); window.addEventListener('mouseup', up);
          });
        }
      }

      // Contour: objective over two chosen numeric parameters, inverse-distance weighted on a grid.
      let cx = null, cy = null;
      function drawContour() {
        const ended = trials.filter(t => t.final_value != null);
        const nums = pcAxes().filter(a => a !== 'objective' && ended.length && ended.every(t => typeof t.params[a] === 'number'));
        const controls = document.getElementById('contour-controls'), box = document.getElementById('contour');
        if (nums.length < 2) { controls.innerHTML = ''; box.innerHTML = '<p>needs two numeric parameters and ended trials</p>'; return; }
        if (!nums.includes(cx)) cx = nums[0];
        if (!nums.includes(cy) || cy === cx) cy = nums.find(n => n !== cx);
        const sel = (id, v) => '<select id="' + id + '">' + nums.map(n => '<option' + (n === v ? ' selected' : '') + '>' + esc(n) + '</option>').join('') + '</select>';
        controls.innerHTML = 'x ' + sel('cx', cx) + ' y ' + sel('cy', cy);
        document.getElementById('cx').onchange = e => { cx = e.target.value; drawContour(); };
        document.getElementById('cy').onchange = e => { cy = e.target.value; drawContour(); };
        const W = 420, H = 320, L = 50, B = 30, G = 24;
        const px = ended.map(t => t.params[cx]), py = ended.map(t => t.params[cy]), pv = ended.map(t => t.final_value);
        const logx = Math.min(...px) > 0 && Math.max(...px) / Math.min(...px) >= 100, logy = Math.min(...py) > 0 && Math.max(...py) / Math.min(...py) >= 100;
        const tx = v => logx ? Math.log10(v) : v, ty = v => logy ? Math.log10(v) : v;
        const X = px.map(tx), Y = py.map(ty);
        const x0 = Math.min(...X), x1 = Math.max(...X) + 1e-12, y0 = Math.min(...Y), y1 = Math.max(...Y) + 1e-12;
        const v0 = Math.min(...pv), v1 = Math.max(...pv) + 1e-12;
        const colour = v => { let f = (v - v0) / (v1 - v0); if (goal === 'minimize') f = 1 - f; return 'hsl(' + (240 - 200 * f).toFixed(0) + ',70%,' + (35 + 25 * f).toFixed(0) + '%)'; };
        let cells = '';
        const cw = (W - L) / G, ch = (H - B) / G;
        for (let i = 0; i < G; i++) for (let j = 0; j < G; j++) {
          const gx = x0 + (x1 - x0) * (i + .5) / G, gy = y0 + (y1 - y0) * (j + .5) / G;
          let num = 0, den = 0;
          for (let k = 0; k < X.length; k++) {
            const d2 = ((X[k] - gx) / (x1 - x0)) ** 2 + ((Y[k] - gy) / (y1 - y0)) ** 2 + 1e-9;
            const w = 1 / (d2 * d2); num += w * pv[k]; den += w;
          }
          cells += '<rect x="' + (L + i * cw).toFixed(1) + '" y="' + (H - B - (j + 1) * ch).toFixed(1) + '" width="' + (cw + .5).toFixed(1) + '" height="' + (ch + .5).toFixed(1) + '" fill="' + colour(num / den) + '"/>';
        }
        const dots = X.map((x, k) => '<circle cx="' + (L + (W - L) * (x - x0) / (x1 - x0)).toFixed(1) + '" cy="' + (H - B - (H - B) * (Y[k] - y0) / (y1 - y0)).toFixed(1) + '" r="3" fill="#fff" stroke="#111"><title>trial ' + ended[k].number + ': ' + fmt(pv[k]) + '</title></circle>').join('');
        box.innerHTML = '<svg viewBox="0 0 ' + W + ' ' + H + '" width="' + W + '" height="' + H + '">' + cells + dots +
          '<text x="' + L + '" y="' + (H - 8) + '" font-size="11">' + esc(cx) + (logx ? ' (log)' : '') + '</text>' +
          '<text x="2" y="12" font-size="11">' + esc(cy) + (logy ? ' (log)' : '') + '</text></svg><div><small>colour: objective, ' + (goal === 'minimize' ? 'lower' : 'higher') + ' is warmer; dots: trials</small></div>';
      }

      function trialTable(list) {
        if (!list.length) return '';
        const names = [...new Set(list.flatMap(t => Object.keys(t.params)))].sort();
        return '<table><tr><th>trial</th><th>state</th><th>value</th><th>updates</th>' + names.map(n => '<th>' + esc(n) + '</th>').join('') + '</tr>' +
          list.map(t => '<tr><td><a href="#/trial/' + enc + '/' + t.number + '">' + t.number + '</a></td><td><span class="state ' + esc(t.state) + '">' + esc(t.state) +
            '</span></td><td class="num">' + fmt(t.final_value) + '</td><td class="num">' + t.updates_done + '</td>' + names.map(n => '<td class="num">' + esc(fmt(t.params[n])) + '</td>').join('') + '</tr>').join('') + '</table>';
      }
      // All trials, 50 a page, through the API's keyset cursors (next_cursor → after):
      // every page costs the same however deep. `pageCursors`: the `after` of each page
      // shown so far (null: the first), for going back.
      let pageSort = 'number';
      let pageCursors = [null];
      let pageNext = null;
      async function drawTrialPage() {
        const after = pageCursors[pageCursors.length - 1];
        const p = await api('/api/v1/sweeps/' + enc + '/trials?limit=50&sort=' + encodeURIComponent(pageSort) +
          (after ? '&after=' + encodeURIComponent(after) : ''));
        if (serial !== viewSerial) return;
        pageNext = p.next_cursor || null;
        document.getElementById('tp-count').textContent = '(' + p.total + ' in all; page ' + pageCursors.length + ')';
        const sorts = ['number', '-number', 'value', '-value', 'started', '-started'];
        const controls = document.getElementById('tp-controls');
        controls.innerHTML = 'sort <select id="tp-sort">' + sorts.map(o => '<option' + (o === pageSort ? ' selected' : '') + '>' + o + '</option>').join('') +
          '</select> <button id="tp-first"' + (pageCursors.length > 1 ? '' : ' disabled') + '>first</button>' +
          '<button id="tp-prev"' + (pageCursors.length > 1 ? '' : ' disabled') + '>previous</button>' +
          '<button id="tp-next"' + (pageNext ? '' : ' disabled') + '>next</button>';
        document.getElementById('tp-sort').onchange = e => { pageSort = e.target.value; pageCursors = [null]; drawTrialPage(); };
        document.getElementById('tp-first').onclick = () => { pageCursors = [null]; drawTrialPage(); };
        document.getElementById('tp-prev').onclick = () => { pageCursors.pop(); drawTrialPage(); };
        document.getElementById('tp-next').onclick = () => { if (pageNext) { pageCursors.push(pageNext); drawTrialPage(); } };
        document.getElementById('trial-page').innerHTML = trialTable(p.trials) || '<p>none yet</p>';
      }
      function drawBest() {
        const ended = trials.filter(t => t.final_value != null && (t.state === 'completed' || t.state === 'stopped_early'));
        ended.sort((a, b) => goal === 'maximize' ? b.final_value - a.final_value : a.final_value - b.final_value);
        document.getElementById('trials').innerHTML = trialTable(ended.slice(0, 20)) || '<p>none yet</p>';
      }
      async function comparison() {
        if (sweep.kind !== 'comparison') return;
        const box = document.getElementById('comparison');
        try {
          const c = await api('/api/v1/sweeps/' + enc + '/comparison');
          const table = t => '<table><tr>' + t.headers.map(h => '<th>' + esc(h) + '</th>').join('') + '</tr>' + t.rows.map(r => '<tr>' + r.map(x => '<td class="num">' + esc(x) + '</td>').join('') + '</tr>').join('') + '</table>';
          box.innerHTML = '<h2>Comparison: arms</h2>' + table(c.arms) + '<h2>Δ against the reference (paired by seed)</h2>' + table(c.differences) +
            '<ul>' + c.notes.map(n => '<li>' + esc(n) + '</li>').join('') + '</ul><div class="grid">' + c.figures.map(f => '<div class="figure" id="cmp-' + esc(f) + '"></div>').join('') + '</div>';
          box.hidden = false;
          c.figures.forEach(f => loadFigure('cmp-' + f, f));
        } catch (e) { box.hidden = false; box.innerHTML = '<h2>Comparison</h2><p>' + esc(e.message) + '</p>'; }
      }

      const first = await api('/api/v1/sweeps/' + enc + '/reports?after=0&limit=10000').catch(() => ({reports: [], cursor: 0}));
      addReports(first.reports); cursor = first.cursor;
      await refresh();
      refreshFigures();
      comparison();
      listen(() => 'sweep=' + enc + '&after=' + cursor, change => {
        if (serial !== viewSerial) return;
        addReports(change.reports);
        if (change.cursor > cursor) cursor = change.cursor;
        drawLive();
        refresh();
        refreshFigures();
      });
    }

    // ---- a trial ----
    async function trialView(name, number) {
      const serial = viewSerial;
      const enc = encodeURIComponent(name);
      async function draw() {
        const d = await api('/api/v1/sweeps/' + enc + '/trials/' + encodeURIComponent(number));
        if (serial !== viewSerial) return;
        const t = d.trial;
        const pts = d.reports.filter(r => r.objective != null).map(r => [r.step, r.objective]);
        let curve = '<p>no reports</p>';
        if (pts.length) {
          const W = 600, H = 240, L = 50, B = 26;
          const x0 = Math.min(...pts.map(p => p[0])), x1 = Math.max(...pts.map(p => p[0]), x0 + 1);
          const y0 = Math.min(...pts.map(p => p[1])), y1 = Math.max(...pts.map(p => p[1]), y0 + 1e-12);
          const dd = pts.map((p, k) => (k ? 'L' : 'M') + (L + (W - L - 10) * (p[0] - x0) / (x1 - x0)).toFixed(1) + ',' + (H - B - (H - B - 10) * (p[1] - y0) / (y1 - y0)).toFixed(1)).join('');
          curve = '<svg viewBox="0 0 ' + W + ' ' + H + '" width="' + W + '" height="' + H + '"><path d="' + dd + '" fill="none" stroke="#2563eb" stroke-width="1.5"/>' +
            '<text x="2" y="12" font-size="11">' + fmt(y1) + '</text><text x="2" y="' + (H - B) + '" font-size="11">' + fmt(y0) + '</text><text x="' + L + '" y="' + (H - 6) + '" font-size="11">' + fmt(x0) + '</text><text x="' + (W - 60) + '" y="' + (H - 6) + '" font-size="11">' + fmt(x1) + ' updates</text></svg>';
        }
        const rows = (list, cols) => '<table><tr>' + cols.map(c => '<th>' + esc(c) + '</th>').join('') + '</tr>' + list.map(r => '<tr>' + cols.map(c => '<td>' + esc(fmt(r[c])) + '</td>').join('') + '</tr>').join('') + '</table>';
        app.innerHTML = '<h1><a href="#/sweep/' + enc + '">' + esc(name) + '</a> / trial ' + esc(t.number) + ' <span class="state ' + esc(t.state) + '">' + esc(t.state) + '</span></h1>' +
          '<div class="grid"><section><h2>Curve</h2>' + curve + '</section><section><h2>Parameters</h2>' +
          rows(Object.entries(t.params).map(([k, v]) => ({name: k, value: v})), ['name', 'value']) +
          '<p>seed ' + esc(t.seed) + (t.arm ? ', arm ' + esc(t.arm) : '') + ', final value ' + esc(fmt(t.final_value)) + (t.error ? ', ' + esc(t.error) : '') + '</p></section></div>' +
          '<section><h2>Attempts</h2>' + rows(d.attempts, ['attempt', 'started_at', 'ended_at', 'outcome', 'reason', 'exit_status', 'resumed_from_checkpoint']) + '</section>' +
          '<section><h2>Stopping decisions</h2>' + rows(d.decisions, ['step', 'rule', 'decision', 'reason']) + '</section>' +
          '<section><h2>Log (tail)</h2>' + (d.log_tail.length ? '<pre>' + esc(d.log_tail.join('\n')) + '</pre>' : '<p>the engine wrote nothing on stderr</p>') + '</section>';
      }
      try { await draw(); } catch (e) { app.innerHTML = '<p class="err">' + esc(e.message) + '</p>'; return; }
      listen(() => 'sweep=' + enc, () => { if (serial === viewSerial) draw().catch(() => {}); });
    }

    route();
    """#
}
