// The Touchtone dashboard: flows with their versions and problems, the flow diagram with traffic, live and
// recent calls with traces, stats, and a browser phone. Plain modules, polling the admin API.
import { api, ApiError, hasToken, setToken, takeTokenFromUrl } from './api.js';
import { drawDiagram } from './diagram.js';

const $ = (id) => document.getElementById(id);
const state = { flows: [], selected: undefined, graph: undefined, tab: 'live', phone: undefined, lastSeq: 0 };

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const time = (ms) => (ms ? new Date(ms).toLocaleTimeString() : '');
const dateTime = (ms) => (ms ? new Date(ms).toLocaleString() : '');
const pct = (x) => `${Math.round((x ?? 0) * 100)}%`;
const since = (ms) => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
};

function toast(message, kind = 'error') {
  const t = h('div', { class: `toast ${kind}`, role: 'status' }, message);
  document.body.append(t);
  setTimeout(() => t.remove(), 5000);
}

async function guarded(fn) {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      if ($('signin-dialog').open) return undefined;
      toast('This needs the admin token: sign in first.');
      $('signin-dialog').showModal();
    } else toast(error.message);
    return undefined;
  }
}

// ---- status -------------------------------------------------------------------------------------------------
async function refreshStatus() {
  const box = $('status');
  try {
    const res = await fetch('/ready', { headers: hasToken() ? { Authorization: `Bearer ${sessionStorage.getItem('touchtone.token')}` } : {} });
    const body = await res.json();
    const parts = Object.entries(body.components ?? {}).map(([name, c]) => h('span', { class: `pill ${c.state === 'disabled' ? 'off' : c.ok ? 'ok' : 'bad'}`, title: JSON.stringify(c.detail ?? c.state) }, name, ' ', c.state === 'disabled' ? 'off' : c.ok ? 'ok' : c.state));
    box.replaceChildren(...parts);
  } catch {
    box.replaceChildren(h('span', { class: 'pill bad' }, 'server unreachable'));
  }
  $('signin').textContent = hasToken() ? 'Signed in' : 'Sign in';
}

// ---- flows --------------------------------------------------------------------------------------------------
async function refreshFlows() {
  const data = await guarded(() => api('/api/flows'));
  if (!data) return;
  state.flows = data.flows;
  const list = $('flow-list');
  list.replaceChildren(
    ...state.flows.map((f) =>
      h(
        'li',
        {},
        h(
          'button',
          { class: `flow-item${f.name === state.selected ? ' active' : ''}`, type: 'button', onclick: () => selectFlow(f.name) },
          h('span', { class: 'flow-name' }, f.name),
          h('span', { class: `badge ${f.state}` }, f.state === 'ok' ? `v${f.version}` : f.state === 'stale' ? `v${f.version} · edit failed` : 'invalid'),
          f.warnings ? h('span', { class: 'badge warn' }, `${f.warnings} warning${f.warnings > 1 ? 's' : ''}`) : null,
        ),
      ),
    ),
  );
  const select = $('phone-flow');
  const current = select.value;
  select.replaceChildren(...state.flows.filter((f) => f.version).map((f) => h('option', { value: f.name }, f.name)));
  if (current && [...select.options].some((o) => o.value === current)) select.value = current;
  if (!state.selected && state.flows.length) selectFlow(state.flows[0].name);
}

async function selectFlow(name) {
  state.selected = name;
  const select = $('phone-flow');
  if ([...select.options].some((o) => o.value === name) && !state.phone) select.value = name;
  state.sourceFor = undefined;
  state.graphVersion = undefined;
  await Promise.all([refreshFlows(), refreshFlowDetail(), refreshGraph()]);
  if (state.tab !== 'live') showTab(state.tab);
}

async function refreshFlowDetail() {
  if (!state.selected) return;
  const flow = await guarded(() => api(`/api/flows/${encodeURIComponent(state.selected)}`));
  if (!flow) return;
  state.detail = flow;
  $('flow-title').textContent = flow.name;
  const badge = $('flow-badge');
  badge.className = `badge ${flow.state}`;
  badge.textContent = flow.state === 'ok' ? `version ${flow.version}` : flow.state === 'stale' ? `running v${flow.version}; last edit has errors` : 'not running: fix the errors';
  $('flow-description').textContent = flow.description ?? '';
  renderGraphVersions();
  const canaryBox = $('canary-box');
  canaryBox.hidden = !flow.canary;
  canaryBox.replaceChildren(
    ...(flow.canary
      ? [
          h('span', { class: 'badge warn' }, `canary v${flow.canary.version} · ${flow.canary.percent}% of new calls`),
          h('button', { class: 'link', type: 'button', onclick: () => canaryAction('promote') }, 'Promote'),
          h('button', { class: 'link', type: 'button', onclick: () => canaryAction('stop') }, 'Stop'),
        ]
      : []),
  );
  const problems = $('problems');
  const shown = flow.diagnostics ?? [];
  problems.hidden = shown.length === 0;
  problems.replaceChildren(
    ...shown.map((d) =>
      h('div', { class: `problem ${d.severity}` }, h('code', {}, `${(d.file ?? '').split('/').pop()}${d.range ? `:${d.range.start.line}:${d.range.start.col}` : ''}`), ' ', h('b', {}, d.code), ' ', d.message, d.hint ? h('div', { class: 'hint' }, d.hint) : null),
    ),
  );
}

function renderGraphVersions() {
  const select = $('graph-version');
  const versions = state.detail?.versions ?? [];
  const wanted = state.graphVersion ?? '';
  select.replaceChildren(
    h('option', { value: '' }, 'running version'),
    ...versions.map((v) => h('option', { value: v.version }, `v${v.version}${v.current ? ' (running)' : v.version === state.detail?.canary?.version ? ' (canary)' : ''}`)),
  );
  select.value = versions.some((v) => v.version === wanted) ? wanted : '';
  select.hidden = versions.length < 2;
}

async function refreshGraph() {
  if (!state.selected) return;
  const version = state.graphVersion ? `?version=${encodeURIComponent(state.graphVersion)}` : '';
  const graph = await api(`/api/flows/${encodeURIComponent(state.selected)}/graph${version}`).catch(() => undefined);
  state.graph = graph;
  const current = state.phone && !state.phone.ended && state.phone.flow === state.selected && graph?.version === state.phone.version ? state.phone.step : undefined;
  drawDiagram($('diagram'), graph, current);
}

// ---- tabs ---------------------------------------------------------------------------------------------------
function showTab(tab) {
  state.tab = tab;
  for (const b of document.querySelectorAll('[role=tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  for (const name of ['live', 'recent', 'stats', 'versions', 'source', 'admin']) $(`tab-${name}`).hidden = name !== tab;
  if (tab === 'source') loadSource();
  if (tab === 'admin') refreshAdmin();
  if (tab === 'recent') refreshRecent();
  if (tab === 'stats') refreshStats();
  if (tab === 'versions') renderVersions();
  if (tab === 'live') refreshLive();
}

function table(head, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted empty' }, empty);
  return h('table', {}, h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))), h('tbody', {}, ...rows));
}

async function refreshLive() {
  const data = await api('/api/calls/live').catch(() => undefined);
  if (!data) return;
  $('tab-live').replaceChildren(
    table(
      ['Call', 'Flow', 'Step', 'Caller', 'Source', 'Duration', ''],
      data.calls.map((c) =>
        h(
          'tr',
          { 'data-call': c.id },
          h('td', {}, h('code', {}, c.id.slice(0, 12))),
          h('td', {}, `${c.flow} v${c.version}`),
          h('td', {}, h('span', { class: 'step-name' }, c.step)),
          h('td', {}, c.caller || '—'),
          h('td', {}, c.source),
          h('td', {}, since(c.startedAt)),
          h('td', {}, h('button', { class: 'link', type: 'button', onclick: () => showTrace(c.id) }, 'Trace')),
        ),
      ),
      'No calls right now. Place one with the browser phone →',
    ),
  );
}

async function refreshRecent() {
  const data = await api(`/api/calls/recent?limit=30`).catch(() => undefined);
  if (!data) return;
  $('tab-recent').replaceChildren(
    table(
      ['Started', 'Flow', 'Outcome', 'Last step', 'Duration', ''],
      data.calls.map((c) =>
        h(
          'tr',
          {},
          h('td', {}, dateTime(c.startedAt)),
          h('td', {}, `${c.flow} v${c.version}`),
          h('td', {}, h('span', { class: `outcome ${c.outcome ?? 'live'}` }, c.outcome ?? 'in progress')),
          h('td', {}, c.lastStep ?? ''),
          h('td', {}, c.durationMs != null ? `${(c.durationMs / 1000).toFixed(1)}s` : ''),
          h('td', {}, h('button', { class: 'link', type: 'button', onclick: () => showTrace(c.id) }, 'Trace')),
        ),
      ),
      'No calls recorded yet.',
    ),
  );
}

async function showTrace(id) {
  const data = await guarded(() => api(`/api/calls/${encodeURIComponent(id)}`));
  if (!data) return;
  // A live call's trace keeps growing: follow it until the call ends.
  state.traceLive = data.call.endedAt == null ? id : undefined;
  const box = $('trace');
  box.hidden = false;
  const describe = (e) => {
    switch (e.type) {
      case 'step': return `entered ${e.step} (${e.kind})`;
      case 'key': return `key ${e.digit}`;
      case 'prompt': return `played ${e.prompts.join(', ')}`;
      case 'timer': return `timer ${e.timer}`;
      case 'match': return `entry “${e.entry}” → ${e.result}`;
      case 'lookup': return `lookup ${e.source}: ${e.result} in ${e.ms} ms`;
      case 'var': return `${e.name} = ${e.value}`;
      case 'note': return `${e.code}: ${e.message}`;
      default: return JSON.stringify(e);
    }
  };
  const start = data.call.startedAt;
  box.replaceChildren(
    h('div', { class: 'card-head' }, h('h3', {}, `Trace of ${data.call.id.slice(0, 16)}`), h('span', { class: 'spacer' }), h('button', { class: 'ghost', type: 'button', onclick: () => ((box.hidden = true), (state.traceLive = undefined)) }, 'Close')),
    h('ol', { class: 'trace-list' }, ...data.events.map((e) => h('li', { class: `ev ${e.type}` }, h('span', { class: 'at' }, `+${((e.at - start) / 1000).toFixed(2)}s`), h('span', { class: 'where' }, e.step), describe(e)))),
  );
}

async function refreshStats() {
  const data = await api(`/api/stats${state.selected ? `?flow=${encodeURIComponent(state.selected)}` : ''}`).catch(() => undefined);
  if (!data) return;
  const box = $('tab-stats');
  const flows = data.flows ?? [];
  if (!flows.length) return box.replaceChildren(h('p', { class: 'muted empty' }, 'No finished calls yet for this flow.'));
  const versions = data.versions ?? [];
  const kinds = [...new Set(versions.flatMap((v) => Object.keys(v.outcomes)))].sort();
  const canary = state.detail?.canary?.version;
  box.replaceChildren(
    versions.length
      ? h(
          'div',
          { class: 'stats' },
          h('h4', {}, 'Outcomes by version (since the server started)'),
          table(
            ['Version', 'Calls', ...kinds],
            versions.map((v) => h('tr', {}, h('td', {}, `v${v.version}`, v.version === canary ? h('span', { class: 'badge warn' }, 'canary') : null), h('td', {}, v.calls), ...kinds.map((k) => h('td', {}, `${v.outcomes[k] ?? 0} (${pct((v.outcomes[k] ?? 0) / v.calls)})`)))),
            '',
          ),
        )
      : '',
    ...flows.map((f) =>
      h(
        'div',
        { class: 'stats' },
        h('div', { class: 'kpis' },
          h('div', { class: 'kpi' }, h('b', {}, f.calls), h('span', {}, 'calls')),
          ...Object.entries(f.outcomes).map(([k, v]) => h('div', { class: 'kpi' }, h('b', {}, v), h('span', {}, k))),
          h('div', { class: 'kpi' }, h('b', {}, f.timeToAgent ? `${f.timeToAgent.averageSec.toFixed(1)}s` : '—'), h('span', {}, 'time to agent')),
        ),
        h('h4', {}, 'Menus'),
        table(['Menu', 'Entries', 'Timeouts', 'Invalid keys'], f.menus.map((m) => h('tr', {}, h('td', {}, m.step), h('td', {}, m.entries), h('td', {}, `${m.timeouts} (${pct(m.timeoutRate)})`), h('td', {}, `${m.invalid} (${pct(m.invalidRate)})`))), 'No menu was reached.'),
        h('h4', {}, 'Where callers hung up'),
        table(['Step', 'Calls'], f.dropOff.map((d) => h('tr', {}, h('td', {}, d.step), h('td', {}, d.calls))), 'Nobody hung up early.'),
      ),
    ),
  );
}

function renderVersions() {
  const flow = state.detail;
  const box = $('tab-versions');
  if (!flow) return box.replaceChildren();
  box.replaceChildren(
    table(
      ['Version', 'Published', 'By', 'Note', ''],
      flow.versions.map((v) =>
        h(
          'tr',
          { class: v.current ? 'current-row' : '' },
          h('td', {}, `v${v.version}`, v.current ? h('span', { class: 'badge ok' }, 'running') : null),
          h('td', {}, dateTime(v.publishedAt)),
          h('td', {}, v.publishedBy || '—'),
          h('td', {}, v.note || ''),
          h('td', {}, v.current ? '' : h('button', { class: 'link', type: 'button', onclick: () => rollback(v.version) }, 'Roll back to this')),
        ),
      ),
      'No version yet.',
    ),
  );
}

async function rollback(version) {
  if (!confirm(`Make version ${version} of ${state.selected} the one new calls get? Calls in progress keep theirs.`)) return;
  const res = await guarded(() => api(`/api/flows/${encodeURIComponent(state.selected)}/rollback`, { method: 'POST', body: { version } }));
  if (res) {
    toast(`Rolled back: now running v${res.version.version}.`, 'ok');
    await refreshFlowDetail();
    renderVersions();
    refreshFlows();
  }
}

// ---- edit & publish ----------------------------------------------------------------------------------------
function loadSource() {
  const flow = state.detail;
  if (!flow || state.sourceFor === flow.name) return;
  state.sourceFor = flow.name;
  $('source').value = flow.source ?? '';
  $('source-result').replaceChildren();
}

function showDiagnostics(diagnostics, okText) {
  const box = $('source-result');
  if (!diagnostics.length) return box.replaceChildren(h('div', { class: 'problem ok' }, okText));
  box.replaceChildren(
    ...diagnostics.map((d) =>
      h('div', { class: `problem ${d.severity}` }, h('code', {}, d.range ? `line ${d.range.start.line}:${d.range.start.col}` : ''), ' ', h('b', {}, d.code), ' ', d.message, d.hint ? h('div', { class: 'hint' }, d.hint) : null),
    ),
  );
}

async function validateSource() {
  const res = await guarded(() => api('/api/flows/validate', { method: 'POST', body: { source: $('source').value, file: `${state.selected}.yaml` } }));
  if (res) showDiagnostics(res.diagnostics, 'The flow is valid.');
}

async function publishSource() {
  const note = $('publish-note').value.trim();
  try {
    const res = await api(`/api/flows/${encodeURIComponent(state.selected)}/publish`, { method: 'POST', body: { source: $('source').value, ...(note ? { note } : {}) } });
    showDiagnostics([], res.unchanged ? `Unchanged: version ${res.version.version} keeps running.` : `Published as version ${res.version.version}. New calls get it; calls in progress keep theirs.`);
    $('publish-note').value = '';
    await Promise.all([refreshFlows(), refreshFlowDetail(), refreshGraph()]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) showDiagnostics(error.body.diagnostics ?? [], '');
    else if (error instanceof ApiError && error.status === 401) $('signin-dialog').showModal();
    else toast(error.message);
  }
}

async function startCanary() {
  const percent = Number($('canary-percent').value);
  const note = $('publish-note').value.trim();
  try {
    const res = await api(`/api/flows/${encodeURIComponent(state.selected)}/canary`, { method: 'POST', body: { source: $('source').value, percent, ...(note ? { note } : {}) } });
    showDiagnostics([], `Version ${res.version.version} now gets ${percent}% of new calls. Compare the outcomes in Stats, then promote or stop it.`);
    $('publish-note').value = '';
    await Promise.all([refreshFlows(), refreshFlowDetail()]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) showDiagnostics(error.body.diagnostics ?? [], '');
    else if (error instanceof ApiError && error.status === 401) $('signin-dialog').showModal();
    else toast(error.message);
  }
}

async function canaryAction(action) {
  const path = `/api/flows/${encodeURIComponent(state.selected)}/canary`;
  const res = await guarded(() => (action === 'promote' ? api(`${path}/promote`, { method: 'POST', body: {} }) : api(path, { method: 'DELETE' })));
  if (res !== undefined || action === 'stop') {
    toast(action === 'promote' ? `Promoted: every new call gets v${res.version.version}.` : 'Canary stopped.', 'ok');
    state.sourceFor = undefined;
    await Promise.all([refreshFlows(), refreshFlowDetail(), refreshGraph()]);
  }
}

// ---- hours overrides and recordings --------------------------------------------------------------------------
async function refreshAdmin() {
  const [ov, rec] = await Promise.all([api('/api/hours/overrides').catch(() => undefined), api('/api/recordings').catch(() => undefined)]);
  if (ov) {
    $('overrides').replaceChildren(
      table(
        ['Schedule', 'State', 'Reason', 'Until', 'Set by', ''],
        ov.overrides.map((o) =>
          h('tr', {}, h('td', {}, o.hours), h('td', {}, h('span', { class: `outcome ${o.state === 'open' ? 'completed' : 'hungup'}` }, o.state)), h('td', {}, o.reason), h('td', {}, o.until ? dateTime(o.until) : 'until cleared'), h('td', {}, o.setBy ?? ''), h('td', {}, h('button', { class: 'link', type: 'button', onclick: () => clearOverride(o.hours) }, 'Clear'))),
        ),
        'No override: every schedule follows its hours.',
      ),
    );
  }
  if (rec) {
    $('recordings').replaceChildren(
      table(
        ['When', 'Kind', 'Caller', 'Length', 'Handled'],
        // Pending callback requests (no recording) carry a `state`: show it, and the queue and attempts instead of a length.
        rec.recordings.map((r) => h('tr', {}, h('td', {}, dateTime(r.at)), h('td', {}, r.purpose), h('td', {}, r.caller || '—'), h('td', {}, r.state ? `${r.queue}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}` : `${Math.round(r.durationMs / 1000)}s`), h('td', {}, r.state ? r.state : r.handledAt ? dateTime(r.handledAt) : 'no'))),
        'No voicemail or callback request yet.',
      ),
    );
  }
}

async function setOverride(event) {
  event.preventDefault();
  const until = $('ov-until').value ? new Date($('ov-until').value).toISOString() : undefined;
  const body = { hours: $('ov-hours').value.trim(), state: $('ov-state').value, reason: $('ov-reason').value.trim(), ...(until ? { until } : {}) };
  if (await guarded(() => api('/api/hours/overrides', { method: 'POST', body }))) {
    $('override-form').reset();
    refreshAdmin();
  }
}

async function clearOverride(hours) {
  await guarded(() => api(`/api/hours/overrides/${encodeURIComponent(hours)}`, { method: 'DELETE' }));
  refreshAdmin();
}

// ---- browser phone ------------------------------------------------------------------------------------------
const speech = 'speechSynthesis' in window ? window.speechSynthesis : undefined;
if (!speech) {
  $('speak').checked = false;
  $('speak').disabled = true;
  $('speak').parentElement.title = 'This browser cannot speak';
}

function say(text) {
  if (!speech || !$('speak').checked) return;
  const u = new SpeechSynthesisUtterance(text);
  u.rate = 1.05;
  if (state.phone?.language) u.lang = state.phone.language;
  speech.speak(u);
}

function addLines(lines) {
  const list = $('transcript');
  for (const l of lines) {
    list.append(h('li', { class: `line ${l.kind}` }, l.kind === 'key' ? h('span', { class: 'key' }, l.text) : l.text, l.kind === 'prompt' ? h('span', { class: 'at' }, l.step) : null));
    if (l.kind === 'prompt') say(l.text);
  }
  list.scrollTop = list.scrollHeight;
}

function phoneUi() {
  const live = state.phone && !state.phone.ended;
  $('call').disabled = Boolean(live);
  $('hangup').disabled = !live;
  $('phone-flow').disabled = Boolean(live);
  for (const b of document.querySelectorAll('.keypad button')) b.disabled = !live;
  $('phone-step').textContent = !state.phone ? 'Idle' : live ? `In call · ${state.phone.flow} v${state.phone.version} · step ${state.phone.step}` : 'Call ended';
  document.querySelector('.phone').classList.toggle('in-call', Boolean(live));
}

async function placeCall() {
  const flow = $('phone-flow').value;
  if (!flow) return toast('No flow can take calls: fix the flow errors first.');
  const call = await guarded(() => api('/api/phone/calls', { method: 'POST', body: { flow } }));
  if (!call) return;
  speech?.cancel();
  $('transcript').replaceChildren();
  state.phone = call;
  state.lastSeq = 0;
  addLines(call.lines);
  state.lastSeq = call.lines.at(-1)?.seq ?? 0;
  if (state.selected !== flow) await selectFlow(flow);
  phoneUi();
  pollPhone();
}

async function pollPhone() {
  const call = state.phone;
  if (!call) return;
  const next = await api(`/api/phone/calls/${call.id}?since=${state.lastSeq}`).catch(() => undefined);
  if (!next || state.phone?.id !== call.id) return;
  addLines(next.lines);
  if (next.lines.length) state.lastSeq = next.lines.at(-1).seq;
  const moved = next.step !== state.phone.step;
  state.phone = next;
  phoneUi();
  if (moved || next.ended) refreshGraph();
  if (!next.ended) setTimeout(pollPhone, 200);
  else {
    refreshLive();
    setTimeout(refreshGraph, 500);
  }
}

async function press(key) {
  if (!state.phone || state.phone.ended) return;
  // The caller's key stops the prompt being spoken, as barge-in does on a real line.
  speech?.cancel();
  await guarded(() => api(`/api/phone/calls/${state.phone.id}/keys`, { method: 'POST', body: { digits: key } }));
}

async function hangup() {
  if (!state.phone) return;
  speech?.cancel();
  await guarded(() => api(`/api/phone/calls/${state.phone.id}/hangup`, { method: 'POST' }));
}

// ---- wiring -------------------------------------------------------------------------------------------------
takeTokenFromUrl();
$('call').addEventListener('click', placeCall);
$('hangup').addEventListener('click', hangup);
for (const b of document.querySelectorAll('.keypad button')) b.addEventListener('click', () => press(b.dataset.key));
document.addEventListener('keydown', (e) => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement) return;
  if (/^[0-9*#]$/.test(e.key)) press(e.key);
});
for (const b of document.querySelectorAll('[role=tab]')) b.addEventListener('click', () => showTab(b.dataset.tab));
$('signin').addEventListener('click', () => $('signin-dialog').showModal());
$('validate').addEventListener('click', validateSource);
$('publish').addEventListener('click', publishSource);
$('canary').addEventListener('click', startCanary);
$('graph-version').addEventListener('change', () => {
  state.graphVersion = $('graph-version').value || undefined;
  refreshGraph();
});
$('override-form').addEventListener('submit', setOverride);
$('signin-dialog').addEventListener('close', () => {
  if ($('signin-dialog').returnValue === 'ok') setToken($('token-input').value.trim());
  $('token-input').value = '';
  refreshStatus();
});

phoneUi();
refreshStatus();
refreshFlows();
refreshLive();
setInterval(() => {
  if (document.hidden) return;
  refreshLive();
  if (state.tab === 'recent') refreshRecent();
  if (state.traceLive) showTrace(state.traceLive);
}, 1000);
setInterval(() => {
  if (document.hidden) return;
  refreshStatus();
  refreshFlows();
  refreshFlowDetail();
  if (!state.phone || state.phone.ended) refreshGraph();
  if (state.tab === 'stats') refreshStats();
  if (state.tab === 'admin') refreshAdmin();
}, 4000);
