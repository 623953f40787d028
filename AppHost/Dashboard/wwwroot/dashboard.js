// BenchPlatform AppHost dashboard: plain JavaScript, no build step. Every value from the server is escaped.
'use strict';

const api = (path, init) => fetch('/api/dashboard' + path, Object.assign({ credentials: 'same-origin' }, init));
const esc = s => String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const $ = sel => document.querySelector(sel);
const fmtTime = t => t ? new Date(t).toLocaleTimeString([], { hour12: false }) : '';
const fmtMs = ms => ms == null ? '' : ms >= 1000 ? (ms / 1000).toFixed(2) + ' s' : ms >= 10 ? ms.toFixed(0) + ' ms' : ms.toFixed(2) + ' ms';
const badge = s => `<span class="badge ${esc(s)}">${esc(s)}</span>`;
const palette = ['#2f6fde', '#d9822b', '#1f8f4e', '#8e44ad', '#c53030', '#16a2b8', '#6b7a8f'];
const serviceColors = {};
const colorOf = s => serviceColors[s] ??= palette[Object.keys(serviceColors).length % palette.length];

let timer = null;
let current = '';

function status(text) { $('#status').textContent = text; }

async function getJson(path) {
  const response = await api(path);
  if (response.status === 401) { status('signed out: open the login URL the AppHost printed'); throw new Error('401'); }
  if (!response.ok) { throw new Error(path + ': HTTP ' + response.status); }
  return response.json();
}

// ---- routing ----
function route() {
  const hash = location.hash.slice(1) || 'resources';
  const [view, arg] = hash.split('/');
  clearInterval(timer);
  timer = null;
  if (view !== 'console') { closeConsole(); }
  document.querySelectorAll('.view').forEach(v => v.classList.remove('active'));
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', a.dataset.view === (view === 'trace' ? 'traces' : view)));
  const section = $('#view-' + view) || $('#view-resources');
  section.classList.add('active');
  current = view;
  const every = (fn, ms) => { fn(); timer = setInterval(fn, ms); };
  switch (view) {
    case 'console': openConsole(arg); break;
    case 'traces': every(loadTraces, 3000); break;
    case 'trace': loadTrace(arg); break;
    case 'load': every(loadLoad, 2000); break;
    case 'models': every(loadModels, 5000); break;
    default: every(loadResources, 2000);
  }
}
window.addEventListener('hashchange', route);

// ---- resources ----
const openEnv = new Set();
async function loadResources() {
  const rows = await getJson('/resources');
  const body = [];
  for (const r of rows) {
    const endpoints = r.endpoints.map(e => e.url.startsWith('http')
      ? `<a href="${esc(e.url)}" target="_blank" rel="noopener">${esc(e.url)}</a>` : `<span class="mono">${esc(e.url)}</span>`).join('<br>');
    const actions = r.actions.map(a => `<button data-action="${esc(a)}" data-name="${esc(r.name)}">${esc(a)}</button>`).join('')
      + (r.environment.length ? `<button class="link" data-env="${esc(r.name)}">environment</button>` : '');
    body.push(`<tr data-resource="${esc(r.name)}"><td><strong>${esc(r.name)}</strong>${r.detail ? `<div class="muted">${esc(r.detail)}</div>` : ''}</td>
      <td>${esc(r.type)}</td><td>${badge(r.state)}</td><td data-health="${esc(r.health)}">${badge(r.health)}</td><td>${endpoints}</td>
      <td class="mono">${esc(r.pid ?? '')}</td><td>${fmtTime(r.startedAt)}</td><td>${r.restarts}</td><td>${actions}</td></tr>`);
    if (openEnv.has(r.name)) {
      body.push(`<tr class="replica"><td colspan="9"><table class="env mono">${r.environment.map(v => `<tr><td>${esc(v.name)}</td><td>${esc(v.value)}</td></tr>`).join('')}</table></td></tr>`);
    }
    if (r.type === 'project' && r.replicas.length > 1) {
      for (const p of r.replicas) {
        body.push(`<tr class="replica" data-resource="${esc(p.id)}"><td>${esc(p.id)}</td><td>replica</td><td>${badge(p.state)}</td>
          <td data-health="${esc(p.health)}">${badge(p.health)}</td><td><a href="${esc(p.endpoint)}" target="_blank" rel="noopener">${esc(p.endpoint)}</a></td>
          <td class="mono">${esc(p.pid ?? '')}</td><td>${fmtTime(p.startedAt)}</td><td>${p.restarts}</td>
          <td><button data-action="restart" data-name="${esc(p.id)}">restart</button><a href="#console/${esc(p.id)}">console</a></td></tr>`);
      }
    }
  }
  $('#resources-table tbody').innerHTML = body.join('');
  status('updated ' + fmtTime(Date.now()));
}

$('#resources-table').addEventListener('click', async e => {
  const button = e.target.closest('button');
  if (!button) { return; }
  if (button.dataset.env) {
    openEnv.has(button.dataset.env) ? openEnv.delete(button.dataset.env) : openEnv.add(button.dataset.env);
    return loadResources();
  }
  const { action, name } = button.dataset;
  if (!confirm(`${action} ${name}?`)) { return; }
  const response = await api(`/resources/${encodeURIComponent(name)}/${encodeURIComponent(action)}`, { method: 'POST' });
  const body = await response.json().catch(() => ({}));
  status(response.ok ? `${name}: ${body.detail}` : `${name}: ${body.detail || response.status}`);
  loadResources();
});

// ---- console ----
let source = null;
let consoleLines = [];
const MaxConsoleLines = 5000;

function closeConsole() { if (source) { source.close(); source = null; } }

async function openConsole(name) {
  const names = await getJson('/logs');
  const select = $('#console-source');
  select.innerHTML = names.map(n => `<option>${esc(n)}</option>`).join('');
  name = names.includes(name) ? name : (names.find(n => n.startsWith('gateway')) || names[0]);
  if (!name) { return; }
  select.value = name;
  closeConsole();
  consoleLines = [];
  renderConsole();
  source = new EventSource(`/api/dashboard/logs/${encodeURIComponent(name)}/stream`);
  source.onmessage = e => {
    consoleLines.push(JSON.parse(e.data));
    if (consoleLines.length > MaxConsoleLines) { consoleLines.splice(0, consoleLines.length - MaxConsoleLines); }
    scheduleConsole();
  };
  source.onerror = () => status('console stream interrupted; reconnecting');
}

let pending = false;
function scheduleConsole() { if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; renderConsole(); }); } }

function renderConsole() {
  const query = $('#console-search').value.trim().toLowerCase();
  const shown = query ? consoleLines.filter(l => l.text.toLowerCase().includes(query)) : consoleLines;
  const highlight = text => {
    const safe = esc(text);
    if (!query) { return safe; }
    const pattern = new RegExp(esc(query).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
    return safe.replace(pattern, m => `<mark>${m}</mark>`);
  };
  const pre = $('#console-lines');
  pre.innerHTML = shown.map(l => `<span class="ts">${fmtTime(l.t)}</span> ${highlight(l.text)}`).join('\n');
  $('#console-count').textContent = `${shown.length} of ${consoleLines.length} lines (newest ${MaxConsoleLines} kept)`;
  if ($('#console-follow').checked) { pre.scrollTop = pre.scrollHeight; }
}
$('#console-source').addEventListener('change', e => { location.hash = 'console/' + e.target.value; });
$('#console-search').addEventListener('input', renderConsole);

// ---- traces ----
async function loadTraces() {
  const form = new FormData($('#trace-filters'));
  const query = new URLSearchParams();
  for (const key of ['service', 'route', 'min_ms']) { if (form.get(key)) { query.set(key, form.get(key)); } }
  if (form.get('errors')) { query.set('errors', 'true'); }
  const list = await getJson('/traces?' + query);
  const select = $('#trace-filters select[name=service]');
  const chosen = select.value;
  select.innerHTML = '<option value="">any</option>' + list.services.map(s => `<option>${esc(s)}</option>`).join('');
  select.value = chosen;
  const longest = Math.max(1, ...list.traces.map(t => t.durationUs));
  $('#traces-table tbody').innerHTML = list.traces.map(t => `
    <tr class="clickable" data-trace="${esc(t.traceId)}">
      <td>${fmtTime(t.startUs / 1000)}</td>
      <td><strong>${esc(t.method)} ${esc(t.route)}</strong><div class="muted mono">${esc(t.traceId)}</div></td>
      <td>${t.services.map(s => `<span style="color:${colorOf(s)}">${esc(s)}</span>`).join(' → ')}</td>
      <td>${t.spanCount}</td>
      <td>${t.error ? badge('error') : badge('ok')} ${esc(t.statusCode ?? '')}</td>
      <td><div class="durbar ${t.error ? 'error' : ''}"><span style="width:${(100 * t.durationUs / longest).toFixed(1)}%"></span><em>${fmtMs(t.durationUs / 1000)}</em></div></td>
    </tr>`).join('') || '<tr><td colspan="6" class="muted">No traces yet: send a request through the gateway.</td></tr>';
  $('#trace-bounds').textContent = `${list.kept} of at most ${list.maxTraces} traces kept (${(list.keptBytes / 1048576).toFixed(1)} of ${Math.round(list.maxBytes / 1048576)} MiB)` + (list.evicted ? `, ${list.evicted} evicted` : '');
  status('updated ' + fmtTime(Date.now()));
}
$('#traces-table').addEventListener('click', e => {
  const row = e.target.closest('tr[data-trace]');
  if (row) { location.hash = 'trace/' + row.dataset.trace; }
});
$('#trace-filters').addEventListener('input', () => loadTraces());
$('#trace-filters').addEventListener('submit', e => { e.preventDefault(); loadTraces(); });

async function loadTrace(id) {
  const trace = await getJson('/traces/' + encodeURIComponent(id));
  const s = trace.summary;
  $('#trace-title').textContent = `${s.method} ${s.route}`.trim();
  $('#trace-meta').textContent = `${fmtMs(s.durationUs / 1000)} · ${s.spanCount} spans · ${s.services.join(' → ')} · trace ${s.traceId}`;
  const start = s.startUs;
  const total = Math.max(1, s.durationUs);
  // Depth-first order from the roots, so children sit under their parents.
  const byParent = new Map();
  const ids = new Set(trace.spans.map(x => x.id));
  for (const span of trace.spans) {
    const parent = span.parentId && ids.has(span.parentId) ? span.parentId : '';
    if (!byParent.has(parent)) { byParent.set(parent, []); }
    byParent.get(parent).push(span);
  }
  const ordered = [];
  const walk = (parent, depth) => (byParent.get(parent) || []).sort((a, b) => a.startUs - b.startUs)
    .forEach(span => { ordered.push([span, depth]); walk(span.id, depth + 1); });
  walk('', 0);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(f => `<span>${fmtMs(f * total / 1000)}</span>`).join('');
  $('#waterfall').innerHTML = `<div class="wf-axis"><div>Service · span</div><div>${ticks}</div></div>` + ordered.map(([span, depth]) => {
    const left = 100 * (span.startUs - start) / total;
    const width = Math.max(0.3, 100 * span.durationUs / total);
    // The duration sits right of the bar, or left of it when the bar ends near the edge.
    const durStyle = left + width > 86 ? `right:${(100 - left + 0.5).toFixed(2)}%` : `left:${(left + width + 0.5).toFixed(2)}%`;
    return `<div class="wf-row" data-span="${esc(span.id)}" data-service="${esc(span.service)}">
      <div class="wf-label" style="padding-left:${depth * 16}px"><span class="svc" style="color:${colorOf(span.service)}">${esc(span.service)}</span>
        ${span.instance ? `<span class="inst">${esc(span.instance)}</span> ` : ''}${esc(span.name)}${span.kind === 'CLIENT' && span.tags['url.full'] ? ' ' + esc(span.tags['url.full'].split('?')[0]) : ''} <span class="inst">${esc(span.kind.toLowerCase())}</span></div>
      <div class="wf-track"><div class="wf-bar ${span.error ? 'error' : ''}" style="left:${left}%;width:${width}%;background:${colorOf(span.service)}"></div>
        <div class="wf-dur" style="${durStyle}">${fmtMs(span.durationUs / 1000)}</div></div></div>`;
  }).join('');
  $('#span-detail').innerHTML = '';
  $('#waterfall').onclick = e => {
    const row = e.target.closest('.wf-row');
    if (!row) { return; }
    document.querySelectorAll('.wf-row.selected').forEach(r => r.classList.remove('selected'));
    row.classList.add('selected');
    const span = trace.spans.find(x => x.id === row.dataset.span);
    $('#span-detail').innerHTML = `<h2>${esc(span.service)} · ${esc(span.name)}</h2><table class="mono">` +
      Object.entries(span.tags).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('') + '</table>';
  };
  status('trace ' + s.traceId);
}

// ---- load charts (hand-drawn SVG) ----
function chart(svg, from, to, series, markers) {
  const width = svg.clientWidth || 900;
  const height = svg.clientHeight || 190;
  const pad = { l: 44, r: 12, t: 10, b: 22 };
  const x = t => pad.l + (width - pad.l - pad.r) * (t - from) / Math.max(1, to - from);
  const values = series.flatMap(s => s.points.map(p => p[1])).filter(v => v != null);
  const max = Math.max(1, ...values) * 1.1;
  const y = v => height - pad.b - (height - pad.t - pad.b) * v / max;
  let out = '';
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4;
    out += `<line class="axis" x1="${pad.l}" x2="${width - pad.r}" y1="${y(v)}" y2="${y(v)}"/><text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`;
  }
  for (let i = 0; i <= 5; i++) {
    const t = from + (to - from) * i / 5;
    out += `<text x="${x(t)}" y="${height - 6}" text-anchor="middle">${fmtTime(t)}</text>`;
  }
  for (const m of markers) {
    out += `<line x1="${x(m.t)}" x2="${x(m.t)}" y1="${pad.t}" y2="${height - pad.b}" stroke="${m.event === 'ready' ? '#1f8f4e' : '#b7791f'}" stroke-dasharray="${m.event === 'ready' ? '' : '4 3'}"><title>${esc(m.replica)} ${esc(m.event)} ${esc(m.detail ?? '')}</title></line>`;
  }
  for (const s of series) {
    if (s.bars) {
      const w = Math.max(1, (width - pad.l - pad.r) / Math.max(1, (to - from) / 1000) - 1);
      out += s.points.filter(p => p[1]).map(p => `<rect x="${x(p[0]) - w / 2}" y="${y(p[1])}" width="${w}" height="${y(0) - y(p[1])}" fill="${s.color}"><title>${fmtTime(p[0])}: ${p[1]}</title></rect>`).join('');
    } else {
      let d = '';
      let pen = false;
      for (const [t, v] of s.points) {
        if (v == null) { pen = false; continue; }
        d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      }
      out += `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`;
      // Isolated seconds (requests in one second only) would not show as a line: draw them as dots.
      s.points.forEach(([t, v], i) => {
        if (v != null && s.points[i - 1]?.[1] == null && s.points[i + 1]?.[1] == null) {
          out += `<circle cx="${x(t).toFixed(1)}" cy="${y(v).toFixed(1)}" r="2.5" fill="${s.color}"><title>${fmtTime(t)}: ${v.toFixed(2)}</title></circle>`;
        }
      });
    }
  }
  let lx = pad.l + 8;
  out += '<g class="legend">';
  for (const s of series) {
    out += `<rect x="${lx}" y="${pad.t}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${pad.t + 9}">${esc(s.name)}</text>`;
    lx += 28 + 6.5 * s.name.length;
  }
  out += '</g>';
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.innerHTML = out;
}

async function loadLoad() {
  const view = await getJson('/load?minutes=' + $('#load-window').value);
  const { from, to, requests, replicas } = view.series;
  const markers = view.events.filter(e => e.event === 'ready' || e.event === 'process-start');
  chart($('#chart-rps'), from, to, [
    { name: 'requests/s', color: '#2f6fde', bars: true, points: requests.map(p => [p.t, p.count]) },
    { name: 'errors/s', color: '#c53030', bars: true, points: requests.map(p => [p.t, p.errors]) },
  ], markers);
  chart($('#chart-latency'), from, to, [
    { name: 'p50', color: '#1f8f4e', points: requests.map(p => [p.t, p.p50]) },
    { name: 'p95', color: '#d9822b', points: requests.map(p => [p.t, p.p95]) },
    { name: 'p99', color: '#c53030', points: requests.map(p => [p.t, p.p99]) },
  ], markers);
  const series = [];
  Object.entries(replicas).forEach(([name, points], i) => {
    // The first scalable project draws solid lines, the others dashed.
    const dash = i === 0 ? '' : '5 3';
    series.push({ name: `${name} desired`, color: '#6b7a8f', dash, points: points.map(p => [p.t, p.desired]) });
    series.push({ name: `${name} ready`, color: '#1f8f4e', dash, points: points.map(p => [p.t, p.ready]) });
    series.push({ name: `${name} in flight`, color: '#2f6fde', dash, points: points.map(p => [p.t, p.inflight]) });
  });
  chart($('#chart-replicas'), from, to, series, markers);
  $('#events-table tbody').innerHTML = view.events.slice(-50).reverse().map(e =>
    `<tr><td>${fmtTime(e.t)}</td><td>${esc(e.replica)}</td><td>${badge(e.event === 'ready' ? 'ready' : e.event === 'gave-up' ? 'error' : 'starting')} ${esc(e.event)}</td><td>${esc(e.detail ?? '')}</td></tr>`).join('')
    || '<tr><td colspan="4" class="muted">No replica events in this window.</td></tr>';
  status('updated ' + fmtTime(Date.now()));
}
$('#load-window').addEventListener('change', loadLoad);

// ---- models ----
async function loadModels() {
  const replicas = await getJson('/models');
  $('#models-table tbody').innerHTML = replicas.map(r => `<tr><td><strong>${esc(r.replica)}</strong></td><td>${
    !r.exposed ? `<span class="muted">${esc(r.note)}</span>`
      : r.models.length === 0 ? '<span class="muted">no models registered</span>'
      : r.models.map(m => `${esc(m.name)} ${badge(m.state === 'loaded' ? 'ready' : 'unknown')} <span class="muted">${esc(m.state)}</span>`).join('<br>')}</td></tr>`).join('')
    || '<tr><td colspan="2" class="muted">No ready replicas.</td></tr>';
  status('updated ' + fmtTime(Date.now()));
}

route();
