// Sluice dashboard: renders the frames the daemon pushes as Server-Sent Events. Every value from the
// server goes into the page as text (textContent), never as markup.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const state = { csrf: null, role: null, source: null, chart: null, series: {}, times: [], alerts: new Map(),
    view: { pipeline: '', sort: '', top: '20', key: '' }, pipelines: [], lastAlertId: 0, alertCount: 0, refresh: 1000 };
  const HISTORY = 300;

  const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  const num = (v) => (v === null || v === undefined) ? '–' : fmt.format(v);
  const MIN_LONG = -9223372036854775808;
  // ISO-8601 instants as `sluice stat` prints them; a watermark before the first event is '–', after a bounded input 'end of input'.
  function time(v) {
    if (v === null || v === undefined || v <= MIN_LONG + 1e6) return '–';
    if (v >= 9.2e18) return 'end of input';   // Long.MAX_VALUE
    if (v > 1e17) v = v / 1e6;          // epoch nanoseconds
    else if (v > 1e14) v = v / 1e3;     // epoch microseconds
    if (v > 1e11 && v < 1e14) return new Date(v).toISOString().replace(/\.000Z$/, 'Z');
    return String(v);
  }
  function shortTime(v) {
    const full = time(v);
    return /^\d{4}-\d\d-\d\dT/.test(full) ? full.substring(11) : full;
  }
  function age(ms) {
    if (ms === null || ms === undefined || ms < 0) return '–';
    if (ms < 1000) return 'just now';
    const s = Math.round(ms / 1000);
    if (s < 120) return s + ' s ago';
    const m = Math.round(s / 60);
    return m < 120 ? m + ' min ago' : Math.round(m / 60) + ' h ago';
  }
  function bytes(n) {
    if (n === undefined || n === null) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return fmt.format(n) + ' ' + units[i];
  }
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function row(cells, cls) {
    const tr = el('tr', null, cls);
    for (const c of cells) {
      const td = el('td');
      if (c instanceof Node) td.appendChild(c); else { td.textContent = c; if (typeof c === 'string' && /^[\d,.\-–]+$/.test(c)) td.className = 'num'; }
      tr.appendChild(td);
    }
    return tr;
  }
  function toast(message, isError) {
    const t = $('op-status');
    t.textContent = message;
    t.className = 'toast show' + (isError ? ' error' : '');
    t.dataset.error = isError ? 'true' : 'false';
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.className = 'toast' + (isError ? ' error' : ''); }, 6000);
  }

  async function operation(name, fields) {
    const body = new URLSearchParams(fields || {});
    try {
      const response = await fetch('/api/' + name, { method: 'POST', credentials: 'same-origin',
        headers: { 'X-Sluice-CSRF': state.csrf, 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
      const result = await response.json().catch(() => ({ error: response.statusText }));
      if (response.ok) toast(result.message, false);
      else toast(response.status + ': ' + (result.error || response.statusText), true);
    } catch (e) {
      toast('request failed: ' + e, true);
    }
  }

  function connect() {
    if (state.source) state.source.close();
    const q = new URLSearchParams();
    if (state.view.pipeline) q.set('pipeline', state.view.pipeline);
    if (state.view.sort) q.set('sort', state.view.sort);
    q.set('top', state.view.top);
    if (state.view.key) q.set('key', state.view.key);
    const source = new EventSource('/events?' + q.toString());
    state.source = source;
    source.addEventListener('frame', (e) => {
      $('stream-status').textContent = 'live';
      render(JSON.parse(e.data));
    });
    source.onerror = () => {
      $('stream-status').textContent = 'reconnecting…';
      $('state').className = 'badge offline';
      $('state').textContent = 'OFFLINE';
    };
  }

  function render(f) {
    document.body.dataset.frames = String(Number(document.body.dataset.frames || 0) + 1);
    $('title').textContent = f.title || '';
    // A network endpoint whose Aeron client is lost (reconnecting) serves nobody: it shows on the state badge.
    const down = (f.network || []).filter((n) => !n.up).map((n) => n.endpoint);
    $('state').textContent = down.length ? f.state + ' · network DOWN: ' + down.join(', ') : f.state;
    $('state').className = 'badge ' + (down.length ? 'offline' : String(f.state).toLowerCase());
    $('state').title = (f.network || []).map((n) => n.endpoint + (n.up ? ' up' : ' DOWN (Aeron client lost, reconnecting)') +
      (n.losses ? ', lost ' + n.losses + '×' : '')).join('\n');
    $('dropped').textContent = f.dropped;
    renderTopics(f);
    renderPipelines(f);
    renderLatency(f);
    renderCheckpoint(f.checkpoint);
    renderErrors(f.errors);
    renderAlerts(f.alerts);
    renderResults(f.results);
  }

  function renderTopics(f) {
    const body = $('topics-table').tBodies[0];
    body.replaceChildren();
    let rate = 0, total = 0;
    for (const t of f.topics) {
      rate += t.rate; total += t.eventsIn;
      const tr = row([t.topic, num(t.rate), num(t.eventsIn), '', ''], 'topic');
      tr.dataset.topic = t.topic;
      body.appendChild(tr);
      for (const p of t.partitions) {
        body.appendChild(row([t.topic + '/' + p.p, num(p.rate), num(p.eventsIn), num(p.journalEnd), num(p.backlog) + ' / ' + num(p.ringSize)], 'sub'));
      }
    }
    $('throughput-total').textContent = num(rate);
    $('events-total').textContent = num(total) + ' events in';
  }

  function renderPipelines(f) {
    const body = $('pipelines-table').tBodies[0];
    body.replaceChildren();
    let rate = 0, outputs = 0;
    const names = [];
    for (const p of f.pipelines) {
      rate += p.rate; outputs += p.outputs;
      if (p.onBoard) names.push(p.name);
      const halted = p.partitions.some((x) => x.state === 'halted');
      const status = halted ? 'halted' : (p.paused ? 'paused' : 'running');
      const pill = el('span', status, 'pill ' + status);
      const minWatermark = p.partitions.length ? Math.min(...p.partitions.map((x) => x.watermark)) : null;
      const actions = el('span');
      if (state.role === 'operator') {
        const toggle = el('button', p.paused ? 'Resume' : 'Pause', 'btn small ' + (p.paused ? 'resume-btn' : 'pause-btn'));
        toggle.dataset.pipeline = p.name;
        toggle.addEventListener('click', () => operation(p.paused ? 'resume' : 'pause', { pipeline: p.name }));
        const replay = el('button', 'Replay…', 'btn small replay-btn');
        replay.dataset.pipeline = p.name;
        replay.addEventListener('click', () => {
          const offset = window.prompt('Replay ' + p.name + ' from journal offset:', '0');
          if (offset !== null) operation('replay', { pipeline: p.name, from_offset: offset });
        });
        actions.append(toggle, ' ', replay);
      }
      const tr = row([p.name + (p.alerts ? ' ⚑' : ''), pill, num(p.rate), num(p.outputs), num(p.suppressed), num(p.stateEntries), num(p.late), num(p.errors), time(minWatermark), actions]);
      tr.dataset.pipeline = p.name;
      body.appendChild(tr);
      for (const x of p.partitions) {
        body.appendChild(row([x.topic + '/' + x.p, el('span', x.state, 'pill ' + x.state), '', num(x.outputs), num(x.suppressed), num(x.stateEntries), num(x.late), num(x.errors), time(x.watermark), ''], 'sub'));
      }
    }
    $('outputs-rate').textContent = num(rate);
    $('outputs-total').textContent = num(outputs) + ' outputs';
    const select = $('results-pipeline');
    if (names.join('|') !== state.pipelines.join('|')) {
      state.pipelines = names;
      select.replaceChildren(...names.map((n) => { const o = el('option', n); o.value = n; return o; }));
      if (state.view.pipeline && names.includes(state.view.pipeline)) select.value = state.view.pipeline;
    }
  }

  function renderLatency(f) {
    const body = $('latency-table').tBodies[0];
    body.replaceChildren();
    const stages = f.latency.filter((s) => s.count > 0 || s.stage !== 'ingest');
    for (const s of f.latency) {
      body.appendChild(row([s.stage, num(s.p50), num(s.p99), num(s.p999), num(s.p9999), num(s.max), num(s.count)]));
      if (s.stage === 'ingest') {
        $('latency-p99').textContent = num(s.p99) + ' µs';
        $('latency-p50').textContent = 'p50 ' + num(s.p50) + ' µs · max ' + num(s.max) + ' µs';
      }
    }
    state.times.push(f.t / 1000);
    for (const s of stages) {
      if (!state.series[s.stage]) state.series[s.stage] = new Array(state.times.length - 1).fill(null);
    }
    for (const name of Object.keys(state.series)) {
      const s = stages.find((x) => x.stage === name);
      state.series[name].push(s ? Math.max(1, s.p99) : null);
    }
    if (state.times.length > HISTORY) {
      state.times.shift();
      for (const name of Object.keys(state.series)) state.series[name].shift();
    }
    drawChart();
  }

  const PALETTE = ['#0f766e', '#b45309', '#7c3aed', '#be123c', '#0369a1', '#4d7c0f', '#a21caf', '#c2410c', '#334155'];
  function drawChart() {
    const names = Object.keys(state.series);
    const data = [state.times, ...names.map((n) => state.series[n])];
    const host = $('latency-chart');
    if (!window.uPlot) return;
    if (!state.chart || state.chart.series.length !== names.length + 1) {
      if (state.chart) state.chart.destroy();
      const opts = {
        width: Math.max(300, host.clientWidth), height: 260,
        scales: { x: { time: true }, y: { distr: 3, log: 10 } },
        axes: [{ stroke: '#64748b', grid: { stroke: '#eef2f6' } }, { stroke: '#64748b', grid: { stroke: '#eef2f6' }, label: 'µs', size: 60 }],
        series: [{}].concat(names.map((n, i) => ({ label: n + ' p99', stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true, points: { show: false },
          value: (u, v) => v === null || v === undefined ? '–' : fmt.format(v) + ' µs' }))),
        legend: { live: true },
      };
      state.chart = new uPlot(opts, data, host);
    } else {
      state.chart.setData(data);
    }
  }
  window.addEventListener('resize', () => { if (state.chart) state.chart.setSize({ width: Math.max(300, $('latency-chart').clientWidth), height: 260 }); });

  function renderCheckpoint(c) {
    const facts = $('checkpoint-facts');
    facts.replaceChildren();
    const add = (k, v) => { facts.append(el('dt', k), el('dd', v)); };
    if (!c.enabled) {
      add('checkpoints', 'off in this engine');
      $('checkpoint-age').textContent = 'off';
      $('checkpoint-detail').textContent = 'checkpoints disabled';
      return;
    }
    add('last', c.lastId === undefined ? 'none yet' : '#' + c.lastId + ' · ' + time(c.createdMs));
    add('age', age(c.ageMs));
    add('size', c.sizeBytes === undefined ? '–' : bytes(c.sizeBytes) + ' in ' + c.files + ' partition files');
    add('barrier pause', 'p99 ' + num(c.pauseP99Us) + ' µs · max ' + num(c.pauseMaxUs) + ' µs');
    add('duration', c.lastDashboardDurationMs >= 0 ? num(c.lastDashboardDurationMs) + ' ms (last one taken from here)' : '– (none taken from here)');
    add('completed / failed', num(c.completed) + ' / ' + num(c.failed));
    $('checkpoint-age').textContent = c.lastId === undefined ? 'none' : age(c.ageMs);
    $('checkpoint-detail').textContent = c.lastId === undefined ? num(c.completed) + ' completed' : '#' + c.lastId + ' · ' + bytes(c.sizeBytes);
  }

  function renderErrors(e) {
    const list = $('errors-list');
    list.replaceChildren();
    for (const x of e.list) {
      const li = el('li');
      li.append(el('strong', x.count + '× '), el('span', 'first ' + time(x.first) + ', last ' + time(x.last), 'muted'), el('pre', x.text));
      list.appendChild(li);
    }
    $('errors-empty').style.display = e.list.length ? 'none' : '';
    $('errors-count').textContent = num(e.list.length);
    $('errors-detail').textContent = num(e.observations) + ' observations';
  }

  function renderAlerts(alerts) {
    const feed = $('alert-feed');
    const fresh = alerts.filter((a) => a.id > state.lastAlertId).sort((a, b) => a.id - b.id);
    for (const a of fresh) {
      state.lastAlertId = Math.max(state.lastAlertId, a.id);
      state.alertCount++;
      const v = a.values || {};
      const li = el('li', null, 'fresh');
      li.dataset.key = String(a.key);
      li.dataset.pipeline = a.pipeline;
      const title = el('div', null, 'alert-title');
      title.append(el('span', a.pipeline), el('span', 'key ' + a.key, 'alert-key'));
      const details = [];
      for (const [k, value] of Object.entries(v)) {
        if (k === 'key' || k === 'window_start' || k === 'window_end' || k === 'flags') continue;
        details.push(k + ' = ' + (typeof value === 'number' ? fmt.format(value) : value));
      }
      const window = v.window_start !== undefined ? 'window ' + time(v.window_start) + ' → ' + shortTime(v.window_end) : '';
      li.append(title, el('div', details.join(' · ')), el('div', [window, 'event time ' + time(a.ts), 'partition ' + a.p].filter(Boolean).join(' · '), 'alert-meta'));
      feed.insertBefore(li, feed.firstChild);
    }
    while (feed.children.length > 200) feed.removeChild(feed.lastChild);
    $('alert-empty').style.display = feed.children.length ? 'none' : '';
    $('alerts-count').textContent = num(state.alertCount);
    if (fresh.length) {
      const last = fresh[fresh.length - 1];
      $('alerts-latest').textContent = 'latest: ' + last.pipeline + ' · key ' + last.key;
    }
  }

  function renderResults(r) {
    const table = $('results-table');
    const head = table.tHead;
    const body = table.tBodies[0];
    const sortSelect = $('results-sort');
    if (r.numeric && r.numeric.join('|') !== (sortSelect.dataset.columns || '')) {
      sortSelect.dataset.columns = r.numeric.join('|');
      sortSelect.replaceChildren(...['time'].concat(r.numeric).map((n) => { const o = el('option', n); o.value = n === 'time' ? '' : n; return o; }));
      sortSelect.value = state.view.sort && r.numeric.includes(state.view.sort) ? state.view.sort : (r.sort === 'time' ? '' : r.sort);
    }
    const tr = el('tr');
    const hidden = new Set(['key', 'flags']);
    if (r.columns.includes('window_end')) hidden.add('time');
    const columns = r.columns.map((c, i) => ({ c, i })).filter((x) => x.i === 0 || !hidden.has(x.c));
    for (const { c } of columns) tr.appendChild(el('th', c, c === r.sort ? 'sorted' : null));
    head.replaceChildren(tr);
    body.replaceChildren();
    for (const cells of r.rows) {
      const line = row(columns.map(({ c, i }) => {
        const v = cells[i];
        if (c === 'window_start' || c === 'window_end') return shortTime(v);
        if (c === 'time' || /(^|_)ts$/.test(c)) return time(v);
        return typeof v === 'number' ? num(v) : (v === null ? '–' : String(v));
      }));
      line.dataset.key = String(cells[0]);
      body.appendChild(line);
    }
    $('results-meta').textContent = r.pipeline ? (num(r.matching) + ' of ' + num(r.keys) + ' keys shown as top ' + state.view.top +
      ' by ' + r.sort + ' · latest window per key') : 'no pipeline results on the board';
    $('results-table').dataset.pipeline = r.pipeline || '';
  }

  function bindControls() {
    const reconnect = () => connect();
    $('results-pipeline').addEventListener('change', (e) => { state.view.pipeline = e.target.value; state.view.sort = ''; $('results-sort').dataset.columns = ''; reconnect(); });
    $('results-sort').addEventListener('change', (e) => { state.view.sort = e.target.value; reconnect(); });
    $('results-top').addEventListener('change', (e) => { state.view.top = e.target.value; reconnect(); });
    let timer = null;
    $('results-filter').addEventListener('input', (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.view.key = e.target.value.trim(); reconnect(); }, 300);
    });
    $('btn-checkpoint').addEventListener('click', () => operation('checkpoint'));
    $('config-details').addEventListener('toggle', async (e) => {
      if (!e.target.open || $('config-text').textContent) return;
      const response = await fetch('/api/config', { credentials: 'same-origin' });
      const body = await response.json();
      $('config-text').textContent = body.text || body.error;
    });
  }

  async function start() {
    const response = await fetch('/api/session', { credentials: 'same-origin' });
    if (response.status === 401) { window.location.href = '/login'; return; }
    const session = await response.json();
    state.csrf = session.csrf;
    state.role = session.role;
    state.refresh = session.refreshMillis;
    $('user').textContent = session.user;
    $('role').textContent = session.role;
    if (!session.authentication) $('logout-form').style.display = 'none';
    if (session.role !== 'operator') $('btn-checkpoint').title = 'Checkpoint now (needs the operator role)';
    bindControls();
    connect();
  }
  start();
})();
