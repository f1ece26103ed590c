/**
 * The report's charts as inline SVG strings, drawn here so the report needs no script, font or
 * file from anywhere: line charts with nice-number axes, a scatter plot and a heat map. Inline
 * SVG in HTML needs no namespace attribute, so the output contains no URL at all. Every text
 * that comes from data is escaped.
 */

export interface Series { name: string; points: [number, number][]; color?: string }
export interface LineChartOptions {
  title?: string; xLabel?: string; yLabel?: string; width?: number; height?: number;
  logY?: boolean; yMin?: number; yMax?: number; percent?: boolean;
  /** dashed vertical lines at these x (epoch boundaries on a step axis), labelled with `markLabel(i)` */
  xMarks?: number[]; markLabel?: (i: number) => string;
}

export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
/** A distinct colour for index i: a fixed palette, then golden-angle hues. */
export function colorOf(i: number): string {
  if (i < PALETTE.length) return PALETTE[i];
  const h = Math.round((i * 137.508) % 360);
  return `hsl(${h}, 62%, ${i % 2 ? 38 : 52}%)`;
}

const fmt = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
};

/** ~n "nice" tick values (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) { const d = Math.abs(lo) || 1; lo -= d / 2; hi += d / 2; }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function frame(w: number, h: number, body: string, label: string): string {
  return `<svg viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}" class="chart">${body}</svg>`;
}

export function lineChart(series: Series[], o: LineChartOptions = {}): string {
  const W = o.width ?? 420, H = o.height ?? 240;
  const m = { l: 56, r: 12, t: o.title ? 26 : 10, b: 38 };
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
  if (pts.length === 0) return frame(W, H, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">no data</text>`, o.title ?? 'chart');
  const tf = (y: number) => (o.logY ? Math.log10(y) : y);
  let x0 = Math.min(...pts.map((p) => p[0])), x1 = Math.max(...pts.map((p) => p[0]));
  let y0 = o.yMin ?? Math.min(...pts.map((p) => tf(p[1]))), y1 = o.yMax ?? Math.max(...pts.map((p) => tf(p[1])));
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
  const pad = (y1 - y0) * 0.05; if (o.yMin === undefined) y0 -= pad; if (o.yMax === undefined) y1 += pad;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((tf(y) - y0) / (y1 - y0)) * (H - m.t - m.b);
  let body = '';
  if (o.title) body += `<text x="${m.l}" y="16" class="title">${esc(o.title)}</text>`;
  const yt = o.logY ? niceTicks(y0, y1, 4).map((e) => 10 ** e) : niceTicks(y0, y1, 5);
  for (const v of yt) {
    const y = sy(v);
    if (y < m.t - 0.5 || y > H - m.b + 0.5) continue;
    body += `<line x1="${m.l}" x2="${W - m.r}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/>` +
      `<text x="${m.l - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" class="tick">${o.percent ? `${fmt(100 * v)}%` : fmt(v)}</text>`;
  }
  for (const v of niceTicks(x0, x1, 6)) {
    const x = sx(v);
    if (x < m.l - 0.5 || x > W - m.r + 0.5) continue;
    body += `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${H - m.b}" y2="${H - m.b + 4}" class="axis"/>` +
      `<text x="${x.toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle" class="tick">${fmt(v)}</text>`;
  }
  // at most ~12 marks keep the chart readable: thin out evenly beyond that
  const marks = (o.xMarks ?? []).map((x, i) => [x, i] as const).filter(([x]) => x > x0 && x < x1);
  const every = Math.max(1, Math.ceil(marks.length / 12));
  for (const [x, i] of marks.filter((_, k) => k % every === 0)) {
    body += `<line x1="${sx(x).toFixed(1)}" x2="${sx(x).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" class="mark" stroke="#bbb" stroke-dasharray="3 3"><title>${esc(o.markLabel?.(i) ?? '')}</title></line>`;
  }
  body += `<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" class="axis"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" class="axis"/>`;
  if (o.xLabel) body += `<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle" class="label">${esc(o.xLabel)}</text>`;
  if (o.yLabel) body += `<text transform="translate(12 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(o.yLabel)}</text>`;
  series.forEach((s, i) => {
    const c = s.color ?? colorOf(i);
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logY || y > 0));
    if (p.length === 1) body += `<circle cx="${sx(p[0][0]).toFixed(1)}" cy="${sy(p[0][1]).toFixed(1)}" r="3" fill="${c}"><title>${esc(s.name)}: ${fmt(p[0][1])}</title></circle>`;
    else if (p.length > 1) body += `<polyline fill="none" stroke="${c}" stroke-width="1.6" points="${p.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"><title>${esc(s.name)}</title></polyline>`;
  });
  if (series.length > 1) {
    series.forEach((s, i) => {
      const y = m.t + 4 + i * 14;
      body += `<rect x="${W - m.r - 118}" y="${y}" width="10" height="3" fill="${s.color ?? colorOf(i)}"/>` +
        `<text x="${W - m.r - 104}" y="${y + 5}" class="legend">${esc(s.name)}</text>`;
    });
  }
  return frame(W, H, body, o.title ?? 'line chart');
}

export interface ScatterPoint { x: number; y: number; group: number; tip?: string }

/** A scatter plot coloured by group (class), equal scales on both axes. */
export function scatterChart(points: ScatterPoint[], o: { title?: string; width?: number; height?: number; xLabel?: string; yLabel?: string } = {}): string {
  const W = o.width ?? 460, H = o.height ?? 400, m = { l: 44, r: 12, t: o.title ? 26 : 10, b: 36 };
  if (points.length === 0) return frame(W, H, `<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="muted">no data</text>`, o.title ?? 'scatter');
  const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2, cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) * 1.08 || 1;
  const pw = W - m.l - m.r, ph = H - m.t - m.b, s = Math.min(pw, ph) / span;
  const sx = (x: number) => m.l + pw / 2 + (x - cx) * s, sy = (y: number) => m.t + ph / 2 - (y - cy) * s;
  let body = o.title ? `<text x="${m.l}" y="16" class="title">${esc(o.title)}</text>` : '';
  body += `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" class="plotarea"/>`;
  for (const p of points) {
    body += `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.6" fill="${colorOf(p.group)}" fill-opacity="0.8">${p.tip ? `<title>${esc(p.tip)}</title>` : ''}</circle>`;
  }
  if (o.xLabel) body += `<text x="${m.l + pw / 2}" y="${H - 8}" text-anchor="middle" class="label">${esc(o.xLabel)}</text>`;
  if (o.yLabel) body += `<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(o.yLabel)}</text>`;
  return frame(W, H, body, o.title ?? 'scatter plot');
}

/**
 * A heat map of a (rows × cols) matrix of values in [0, 1] (cell shade), each cell with a
 * tooltip; row and column labels are the class indices (names go in the tooltips, they are long).
 */
export function heatmap(values: ArrayLike<number>, rows: number, cols: number, o: { title?: string; tip?: (r: number, c: number) => string; rowLabel?: string; colLabel?: string; size?: number } = {}): string {
  const cell = Math.max(4, Math.min(22, Math.floor((o.size ?? 560) / Math.max(rows, cols))));
  const m = { l: 46, t: (o.title ? 26 : 8) + 22, r: 8, b: 24 };
  const W = m.l + cols * cell + m.r, H = m.t + rows * cell + m.b;
  let body = o.title ? `<text x="${m.l}" y="16" class="title">${esc(o.title)}</text>` : '';
  const every = Math.max(1, Math.ceil(12 / cell));
  for (let c = 0; c < cols; c += every) body += `<text x="${m.l + (c + 0.5) * cell}" y="${m.t - 6}" text-anchor="middle" class="tick">${c}</text>`;
  for (let r = 0; r < rows; r += every) body += `<text x="${m.l - 4}" y="${m.t + (r + 0.5) * cell + 4}" text-anchor="end" class="tick">${r}</text>`;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const v = Math.max(0, Math.min(1, values[r * cols + c] || 0));
    const fill = r === c ? `rgba(31,119,180,${(0.06 + 0.94 * v).toFixed(3)})` : `rgba(214,39,40,${(v === 0 ? 0.03 : 0.12 + 0.88 * v).toFixed(3)})`;
    body += `<rect x="${m.l + c * cell}" y="${m.t + r * cell}" width="${cell}" height="${cell}" fill="${fill}">${o.tip ? `<title>${esc(o.tip(r, c))}</title>` : ''}</rect>`;
  }
  if (o.colLabel) body += `<text x="${m.l + (cols * cell) / 2}" y="${H - 6}" text-anchor="middle" class="label">${esc(o.colLabel)}</text>`;
  if (o.rowLabel) body += `<text transform="translate(12 ${m.t + (rows * cell) / 2}) rotate(-90)" text-anchor="middle" class="label">${esc(o.rowLabel)}</text>`;
  return frame(W, H, body, o.title ?? 'heat map');
}
