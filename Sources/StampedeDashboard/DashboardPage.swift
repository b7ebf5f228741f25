/// The dashboard's one page: inline CSS and script, charts drawn on canvas, nothing loaded
/// from anywhere but the server that sent it (`/events`), so it works with no network.
/// It draws what the event stream says (`Snapshot` in DashboardSnapshot.swift) and keeps
/// the seconds it was sent, as many as the server keeps (`historyLimit`).
enum DashboardPage {
    static let html = #"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Stampede dashboard</title>
        <style>
        body{font:14px/1.45 system-ui,sans-serif;margin:20px auto;max-width:980px;padding:0 12px;color:#111827}
        h1{font-size:22px;margin:0;display:inline-block;margin-right:10px}h2{font-size:16px;margin:26px 0 8px}
        .meta{color:#6b7280;margin:4px 0 12px}.badge{display:inline-block;padding:3px 10px;border-radius:4px;font-weight:600;background:#e0e7ff;color:#3730a3}
        .ok{background:#dcfce7;color:#166534}.bad{background:#fee2e2;color:#991b1b}.warn{background:#fef3c7;color:#92400e}
        .figures{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}.figure{border:1px solid #e5e7eb;border-radius:6px;padding:6px 12px;min-width:96px}
        .figure b{display:block;font-size:18px;font-variant-numeric:tabular-nums}
        table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e5e7eb;padding:4px 6px;text-align:left}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}canvas{width:100%;height:220px;display:block}
        .empty{color:#6b7280}#final{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;margin:12px 0}
        footer{color:#6b7280;margin:24px 0 8px;font-size:12px}code{font-size:12px}
        </style></head><body>
        <h1 id="title">Stampede</h1><span id="status" class="badge">connecting</span>
        <p class="meta" id="meta"></p>
        <div class="figures">
        <div class="figure">requests<b id="requests">–</b></div>
        <div class="figure">requests/s now<b id="rps">–</b></div>
        <div class="figure">requests/s average<b id="rps-average">–</b></div>
        <div class="figure">failed<b id="failed">–</b></div>
        <div class="figure">VUs<b id="vus">–</b></div>
        <div class="figure">p(50)<b id="p50">–</b></div>
        <div class="figure">p(95)<b id="p95">–</b></div>
        <div class="figure">p(99)<b id="p99">–</b></div>
        <div class="figure">iterations<b id="iterations">–</b></div>
        </div>
        <div id="final" hidden><b>Final:</b> <span id="verdict" class="badge"></span> exit code <b id="exit-code"></b>
        · results in <code id="results"></code> <span id="report"></span></div>
        <p class="meta">Figures are the run so far (latency percentiles of http_req_duration over every request so far); charts show each second.</p>
        <h2>Requests per second</h2><canvas id="chart-requests"></canvas>
        <h2>Virtual users</h2><canvas id="chart-vus"></canvas>
        <h2>Latency per second (http_req_duration)</h2><canvas id="chart-latency"></canvas>
        <h2>Scenarios and tags</h2><table id="groups"></table>
        <h2>p(95) per second, by scenario and tag</h2><canvas id="chart-groups"></canvas>
        <div id="scrape-section" hidden><h2>System under test (--scrape)</h2><div id="scrape-charts"></div></div>
        <h2>Thresholds</h2><p class="meta" id="thresholds-note">judged on the run so far, as the run judges its end</p><table id="thresholds"></table>
        <div id="workers-section" hidden><h2>Workers</h2><table id="workers"></table>
        <h2>Requests per second, by worker</h2><canvas id="chart-workers"></canvas></div>
        <footer>Stampede live dashboard · <span id="connection">connecting…</span></footer>
        <script>
        'use strict';
        const dashboard = {hello: null, points: [], state: null, final: null};
        window.dashboard = dashboard;
        const palette = ['#2563eb', '#dc2626', '#16a34a', '#ca8a04', '#7c3aed', '#0891b2', '#ea580c', '#db2777', '#4b5563', '#65a30d'];
        const $ = id => document.getElementById(id);
        const int = n => n == null ? '–' : Math.round(n).toLocaleString('en-US');
        const pct = x => (x * 100).toFixed(2) + '%';
        function ms(v) {
          if (typeof v !== 'number') return '–';
          if (v < 1) return v.toFixed(3) + ' ms';
          if (v < 100) return v.toFixed(2) + ' ms';
          if (v < 10000) return v.toFixed(1) + ' ms';
          return (v / 1000).toFixed(2) + ' s';
        }
        function clock(seconds) {
          const s = Math.round(seconds);
          return Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's';
        }
        function fill(table, header, rows, empty) {
          table.replaceChildren();
          if (!rows.length) {
            const cell = table.insertRow().insertCell();
            cell.textContent = empty;
            cell.className = 'empty';
            return;
          }
          const head = table.insertRow();
          for (const [text, numeric] of header) {
            const th = document.createElement('th');
            th.textContent = text;
            if (numeric) th.className = 'n';
            head.appendChild(th);
          }
          for (const row of rows) {
            const tr = table.insertRow();
            row.forEach((text, i) => {
              const cell = tr.insertCell();
              cell.textContent = text;
              if (header[i][1]) cell.className = 'n';
            });
          }
        }
        function niceCeiling(v) {
          if (!(v > 0)) return 1;
          const e = Math.pow(10, Math.floor(Math.log10(v)));
          for (const m of [1, 2, 5, 10]) if (m * e >= v) return m * e;
          return 10 * e;
        }
        // Each series: {name, color, values: [[t, y or null], …]}; a null breaks its line.
        function chart(canvas, series, format) {
          const ratio = window.devicePixelRatio || 1;
          const width = canvas.clientWidth || 760, height = canvas.clientHeight || 220;
          canvas.width = width * ratio;
          canvas.height = height * ratio;
          const g = canvas.getContext('2d');
          g.setTransform(ratio, 0, 0, ratio, 0, 0);
          g.clearRect(0, 0, width, height);
          g.font = '11px system-ui, sans-serif';
          const left = 70, right = 12, top = 24, bottom = 22;
          let xMin = Infinity, xMax = -Infinity, yMax = 0;
          for (const s of series) for (const [t, y] of s.values) {
            if (y == null) continue;
            xMin = Math.min(xMin, t); xMax = Math.max(xMax, t); yMax = Math.max(yMax, y);
          }
          g.fillStyle = '#6b7280';
          if (xMin === Infinity) { g.fillText('no data yet', left, top + 20); return; }
          if (xMax === xMin) xMin = xMax - 1;
          yMax = niceCeiling(yMax);
          const x = t => left + (t - xMin) / (xMax - xMin) * (width - left - right);
          const y = v => height - bottom - v / yMax * (height - top - bottom);
          g.strokeStyle = '#e5e7eb';
          g.lineWidth = 1;
          g.textAlign = 'right';
          for (let i = 0; i <= 4; i++) {
            const v = yMax * i / 4;
            g.beginPath(); g.moveTo(left, y(v)); g.lineTo(width - right, y(v)); g.stroke();
            g.fillText(v === 0 ? '0' : format(v), left - 6, y(v) + 4);
          }
          g.textAlign = 'center';
          g.fillText(xMin + ' s', x(xMin), height - 6);
          g.fillText(xMax + ' s', x(xMax), height - 6);
          g.lineWidth = 2;
          let legend = left + 4;
          g.textAlign = 'left';
          for (const s of series) {
            g.strokeStyle = s.color;
            g.beginPath();
            let drawing = false;
            for (const [t, v] of s.values) {
              if (v == null) { drawing = false; continue; }
              if (drawing) g.lineTo(x(t), y(v)); else g.moveTo(x(t), y(v));
              drawing = true;
            }
            g.stroke();
            g.fillStyle = s.color;
            g.fillRect(legend, 6, 10, 10);
            g.fillStyle = '#374151';
            g.fillText(s.name, legend + 14, 15);
            legend += 24 + g.measureText(s.name).width;
          }
        }
        function render() {
          const hello = dashboard.hello, state = dashboard.state, points = dashboard.points;
          if (!hello) return;
          const last = points[points.length - 1];
          if (state) {
            $('requests').textContent = int(state.requests);
            $('rps-average').textContent = state.requestsPerSecond.toFixed(1);
            $('failed').textContent = int(state.failed) + ' (' + pct(state.failedRate) + ')';
            $('vus').textContent = int(state.vus) + ' / ' + int(hello.maxVUs);
            $('p50').textContent = ms(state.p50);
            $('p95').textContent = ms(state.p95);
            $('p99').textContent = ms(state.p99);
            $('iterations').textContent = int(state.iterations);
            $('rps').textContent = last ? int(last.requests) : '–';
            $('meta').textContent = hello.scenarios.map(s => s.name + ': ' + s.executor).join(' · ')
              + ' · ' + clock(state.t) + ' of ' + clock(hello.maxDurationSeconds) + ' max';
            fill($('groups'), [['', false], ['kind', false], ['requests', true], ['requests/s now', true], ['failed', true],
                               ['p(50)', true], ['p(95)', true], ['p(99)', true]],
              hello.groups.map((group, i) => {
                const total = state.groups[i], now = last ? last.groups[i] : null;
                return [group.name, group.kind, int(total.requests), now ? int(now.requests) : '–', int(total.failed),
                        ms(total.p50), ms(total.p95), ms(total.p99)];
              }), 'no scenarios');
            fill($('thresholds'), [['', false], ['metric', false], ['threshold', false], ['measured', true]],
              state.thresholds.map(t => [t.passed ? '✓' : '✗', t.metric, t.expression, t.observedText]), 'no thresholds');
            if (hello.workers && state.workers) {
              $('workers-section').hidden = false;
              fill($('workers'), [['worker', false], ['state', false], ['requests', true], ['requests/s now', true],
                                  ['failed', true], ['failed/s now', true]],
                state.workers.map((w, i) => {
                  const now = last && last.workers ? last.workers[i] : null;
                  return [w.name, w.state, int(w.requests), now ? int(now.requests) : '–', int(w.failed), now ? int(now.failed) : '–'];
                }), 'no workers');
            }
          }
          const series = (name, color, value) => ({name, color, values: points.map(p => [p.t, value(p)])});
          chart($('chart-requests'), [series('requests/s', palette[0], p => p.requests), series('failed/s', palette[1], p => p.failed)], int);
          chart($('chart-vus'), [series('VUs', palette[4], p => p.vus)], int);
          chart($('chart-latency'), [series('p(50)', palette[2], p => p.p50), series('p(95)', palette[3], p => p.p95),
                                     series('p(99)', palette[6], p => p.p99)], ms);
          chart($('chart-groups'), hello.groups.map((group, i) => series(group.name, palette[i % palette.length], p => p.groups[i].p95)), ms);
          if (hello.scrape.length) {
            $('scrape-section').hidden = false;
            const holder = $('scrape-charts');
            hello.scrape.forEach((name, i) => {
              let canvas = $('chart-scrape-' + i);
              if (!canvas) {
                const title = document.createElement('h3');
                title.textContent = name;
                canvas = document.createElement('canvas');
                canvas.id = 'chart-scrape-' + i;
                holder.append(title, canvas);
              }
              chart(canvas, [series(name, palette[i % palette.length], p => p.scrape ? p.scrape[i] : null)], v => v.toLocaleString('en-US'));
            });
          }
          if (hello.workers) {
            chart($('chart-workers'), hello.workers.map((name, i) =>
              series(name, palette[i % palette.length], p => p.workers ? p.workers[i].requests : null)), int);
          }
        }
        function showFinal(final) {
          const verdict = $('verdict');
          verdict.textContent = final.verdict;
          verdict.className = 'badge ' + (final.exitCode === 0 ? 'ok' : 'bad');
          const status = $('status');
          status.textContent = final.verdict;
          status.className = verdict.className;
          $('exit-code').textContent = final.exitCode;
          $('results').textContent = final.results;
          $('thresholds-note').textContent = 'the run\'s verdicts';
          if (final.report) {
            const link = document.createElement('a');
            link.href = URL.createObjectURL(new Blob([final.report], {type: 'text/html'}));
            link.target = '_blank';
            link.id = 'report-link';
            link.textContent = 'open report.html';
            $('report').replaceChildren('· ', link);
          }
          $('final').hidden = false;
        }
        function connect() {
          const source = new EventSource('events');
          source.addEventListener('hello', event => {
            const hello = JSON.parse(event.data);
            dashboard.hello = hello;
            dashboard.points = [];
            dashboard.state = null;
            document.title = 'Stampede — ' + hello.test;
            $('title').textContent = 'Stampede — ' + hello.test;
            $('status').textContent = 'running';
            $('status').className = 'badge';
            $('connection').textContent = 'live: updated every second';
            render();
          });
          source.addEventListener('second', event => {
            const data = JSON.parse(event.data);
            const points = dashboard.points;
            for (const point of data.points) {
              if (!points.length || point.t > points[points.length - 1].t) points.push(point);
            }
            if (points.length > dashboard.hello.historyLimit) points.splice(0, points.length - dashboard.hello.historyLimit);
            dashboard.state = data.state;
            render();
          });
          source.addEventListener('final', event => {
            source.close();
            const final = JSON.parse(event.data);
            dashboard.final = final;
            dashboard.state = final.state;
            render();
            showFinal(final);
            $('connection').textContent = 'the run is over; this page keeps its last figures';
          });
          source.onerror = () => {
            if (!dashboard.final) $('connection').textContent = 'connection lost: retrying (the run may have ended)';
          };
        }
        window.addEventListener('resize', render);
        connect();
        </script>
        </body></html>

        """#
}
