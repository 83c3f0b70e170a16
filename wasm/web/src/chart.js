// Replicas (step line, left axis) and queue length (right axis) over simulated time, as SVG.
const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/// Round axis maxima up to a tick step of 1, 2 or 5 times a power of ten.
function niceMax(v) {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function drawChart(figure, steps) {
  const W = 640, H = 300, L = 44, R = 52, T = 24, B = 34;
  const pts = [...steps].sort((a, b) => a.t - b.t);
  const tMax = Math.max(1, ...pts.map((s) => s.t));
  const peakReplicas = Math.max(0, ...pts.map((s) => s.replicas));
  const hasQueue = pts.some((s) => typeof s.queueLength === 'number');
  const peakQueue = Math.max(0, ...pts.map((s) => s.queueLength ?? 0));
  const rMax = niceMax(Math.max(peakReplicas, 1));
  const qMax = niceMax(peakQueue);
  const x = (t) => L + (t / tMax) * (W - L - R);
  const yR = (r) => H - B - (r / rMax) * (H - T - B);
  const yQ = (q) => H - B - (q / qMax) * (H - T - B);

  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img' });
  svg.append(el('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fff', stroke: '#d0d7de' }));
  for (let i = 0; i <= 5; i++) {
    const r = (rMax * i) / 5;
    const y = yR(r);
    svg.append(el('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#eaeef2' }));
    svg.append(el('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, Number.isInteger(r) ? r : r.toFixed(1)));
    if (hasQueue) svg.append(el('text', { x: W - R + 6, y: y + 4 }, Math.round((qMax * i) / 5)));
  }
  for (let i = 0; i <= 6; i++) {
    const t = Math.round((tMax * i) / 6);
    svg.append(el('text', { x: x(t), y: H - B + 16, 'text-anchor': 'middle' }, `${t}s`));
  }
  svg.append(el('text', { x: 4, y: 14 }, 'replicas'));
  if (hasQueue) svg.append(el('text', { x: W - 4, y: 14, 'text-anchor': 'end' }, 'queue length'));

  if (hasQueue) {
    const q = pts.filter((s) => typeof s.queueLength === 'number')
      .map((s) => `${x(s.t).toFixed(1)},${yQ(s.queueLength).toFixed(1)}`).join(' ');
    svg.append(el('polyline', { class: 'queue', points: q, fill: 'none', stroke: '#fb8f44', 'stroke-width': 1.5 }));
  }
  // Replicas hold their value until the next step: draw steps, not slopes.
  let d = '';
  pts.forEach((s, i) => {
    d += i === 0 ? `M${x(s.t).toFixed(1)},${yR(s.replicas).toFixed(1)}`
      : `H${x(s.t).toFixed(1)}V${yR(s.replicas).toFixed(1)}`;
  });
  if (pts.length) d += `H${x(tMax).toFixed(1)}`;
  svg.append(el('path', { class: 'replicas', d, fill: 'none', stroke: '#0969da', 'stroke-width': 2.2 }));

  const legend = el('g', { transform: `translate(${L + 70},14)` });
  legend.append(el('line', { x1: 0, x2: 18, y1: -4, y2: -4, stroke: '#0969da', 'stroke-width': 2.2 }));
  legend.append(el('text', { x: 24, y: 0 }, `replicas (peak ${peakReplicas})`));
  if (hasQueue) {
    legend.append(el('line', { x1: 150, x2: 168, y1: -4, y2: -4, stroke: '#fb8f44', 'stroke-width': 1.5 }));
    legend.append(el('text', { x: 174, y: 0 }, `queue length (peak ${Math.round(peakQueue)})`));
  }
  svg.append(legend);

  figure.replaceChildren(svg);
  figure.dataset.peakReplicas = String(peakReplicas);
  figure.dataset.points = String(pts.length);
}
