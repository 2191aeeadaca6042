// Draws a flow as an SVG diagram: steps in layers by distance from the start, edges between them, and each
// step's traffic as a heat colour (hang-ups as a red badge). No library: the layout is small and predictable.

const NS = 'http://www.w3.org/2000/svg';
const W = 138;
const H = 44;
const GAP_X = 18;
const GAP_Y = 50;

const KIND_ICON = { play: '▶', menu: '☰', input: '⌨', lookup: '⌕', branch: '⑂', hours: '◷', transfer: '⇄', queue: '⋯', record: '●', set: '≔', language: 'Aa', hangup: '✕', subflow: '↳', return: '↩' };

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Layers by breadth-first distance from the start; unreachable steps go in a last layer. */
function layers(graph) {
  const depth = new Map([[graph.start, 0]]);
  const queue = [graph.start];
  const out = new Map();
  for (const e of graph.edges) (out.get(e.from) ?? out.set(e.from, []).get(e.from)).push(e.to);
  while (queue.length) {
    const id = queue.shift();
    for (const next of out.get(id) ?? []) {
      if (!depth.has(next)) {
        depth.set(next, depth.get(id) + 1);
        queue.push(next);
      }
    }
  }
  const max = Math.max(0, ...depth.values());
  const rows = [];
  for (const n of graph.nodes) {
    const d = depth.has(n.id) ? depth.get(n.id) : max + 1;
    (rows[d] ??= []).push(n);
  }
  const filled = rows.filter(Boolean);
  // One barycentre pass: place each step under the average position of the steps that lead to it, which
  // removes most edge crossings in menu-shaped flows.
  const place = new Map();
  const preds = new Map();
  for (const e of graph.edges) (preds.get(e.to) ?? preds.set(e.to, []).get(e.to)).push(e.from);
  filled.forEach((row, r) => {
    if (r > 0) {
      const score = (n) => {
        const xs = (preds.get(n.id) ?? []).filter((p) => place.has(p)).map((p) => place.get(p));
        return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0.5;
      };
      const scores = new Map(row.map((n) => [n.id, score(n)]));
      row.sort((a, b) => scores.get(a.id) - scores.get(b.id));
    }
    row.forEach((n, i) => place.set(n.id, (i + 0.5) / row.length));
  });
  return filled;
}

function heatClass(visits, max) {
  if (!visits) return 's0';
  const r = visits / max;
  return r > 0.66 ? 's3' : r > 0.33 ? 's2' : 's1';
}

function shortLabel(label) {
  const m = /^option (.+)$/.exec(label);
  if (m) return m[1];
  if (label === 'next') return '';
  return label.replace(/^pattern /, '');
}

/**
 * Renders `graph` into `container`. `current` is the step the browser phone is in (highlighted).
 * Returns the node positions so callers can scroll to a step.
 */
export function drawDiagram(container, graph, current) {
  container.replaceChildren();
  if (!graph || !graph.nodes.length) return;
  const rows = layers(graph);
  const widest = Math.max(...rows.map((r) => r.length));
  const width = widest * (W + GAP_X) + GAP_X;
  const height = rows.length * (H + GAP_Y) + GAP_Y / 2;
  const pos = new Map();
  rows.forEach((row, y) => {
    const offset = (width - row.length * (W + GAP_X) + GAP_X) / 2;
    row.forEach((n, x) => pos.set(n.id, { x: offset + x * (W + GAP_X), y: GAP_Y / 2 + y * (H + GAP_Y) }));
  });
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': `Diagram of ${graph.flow}` });
  const defs = el('defs');
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  svg.append(defs);

  const edges = el('g', { class: 'edges' });
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    let d;
    if (b.y > a.y) {
      const x1 = a.x + W / 2, y1 = a.y + H, x2 = b.x + W / 2, y2 = b.y;
      d = `M${x1},${y1} C${x1},${y1 + GAP_Y / 2} ${x2},${y2 - GAP_Y / 2} ${x2},${y2}`;
    } else {
      // Back or sideways edges loop around the right side, so they do not cross the nodes.
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x + W, y2 = b.y + H / 2;
      const bulge = Math.max(x1, x2) + 24 + Math.abs(y1 - y2) * 0.08;
      d = `M${x1},${y1} C${bulge},${y1} ${bulge},${y2} ${x2},${y2}`;
    }
    const path = el('path', { d, class: `edge${b.y <= a.y ? ' back' : ''}`, 'marker-end': 'url(#arrow)' });
    path.append(el('title', {}, `${e.from} → ${e.to} (${e.label})`));
    edges.append(path);
    const label = shortLabel(e.label);
    if (label && b.y > a.y) {
      const lx = (a.x + b.x) / 2 + W / 2, ly = (a.y + H + b.y) / 2;
      edges.append(el('text', { x: lx, y: ly, class: 'edge-label', 'text-anchor': 'middle' }, label.length > 10 ? label.slice(0, 9) + '…' : label));
    }
  }
  svg.append(edges);

  const max = Math.max(1, ...graph.nodes.map((n) => n.visits));
  for (const n of graph.nodes) {
    const p = pos.get(n.id);
    const g = el('g', { class: `node ${heatClass(n.visits, max)}${n.id === current ? ' current' : ''}${n.id === graph.start ? ' start' : ''}`, transform: `translate(${p.x},${p.y})`, 'data-step': n.id });
    g.append(el('rect', { width: W, height: H, rx: 9 }));
    g.append(el('text', { x: 11, y: 20, class: 'icon' }, KIND_ICON[n.kind] ?? '•'));
    g.append(el('text', { x: 34, y: 20, class: 'name' }, n.id.length > 14 ? n.id.slice(0, 13) + '…' : n.id));
    g.append(el('text', { x: 34, y: 36, class: 'meta' }, `${n.kind} · ${n.visits} call${n.visits === 1 ? '' : 's'}`));
    if (n.dropped) {
      g.append(el('rect', { x: W - 34, y: -8, width: 40, height: 18, rx: 9, class: 'drop' }));
      g.append(el('text', { x: W - 14, y: 5, class: 'drop-text', 'text-anchor': 'middle' }, `↓${n.dropped}`));
    }
    g.append(el('title', {}, `${n.id} (${n.kind})\n${n.visits} visits, ${n.dropped} hang-ups or failures here`));
    svg.append(g);
  }
  container.append(svg);
  return pos;
}
