/**
 * One dataset's panel of the study plot, self-contained SVG (inline styles, so the file opens on
 * its own): a horizontal bar per cell — the joint stream's linear top-1 (best of evaluations),
 * mean with a ±std whisker — and vertical lines for the baselines: raw-joint 1-NN (red), random
 * encoder (grey) and supervised (green) of the first encoder shape.
 */
import { esc } from '../eval/report-svg.js';
import type { CellSummary, BaselineSummary } from './report.js';
import type { LinearProtocolName } from '../eval/protocol.js';

export function plotDataset(name: string, rawNN: Record<string, number>, cells: CellSummary[], baselines: BaselineSummary[], protocol: LinearProtocolName): { svg: string; height: number } {
  const W = 760, left = 300, right = 20, top = 34, row = 18;
  const H = top + Math.max(1, cells.length) * row + 34;
  const x = (v: number) => left + Math.max(0, Math.min(1, v)) * (W - left - right);
  let s = `<text x="8" y="16" font-weight="bold">${esc(name)}: joint-stream linear top-1 (${protocol}, best of evaluations), mean ± std</text>`;
  for (let t = 0; t <= 10; t += 2) {
    const xx = x(t / 10);
    s += `<line x1="${xx}" x2="${xx}" y1="${top - 4}" y2="${H - 30}" stroke="#ddd"/><text x="${xx}" y="${H - 18}" text-anchor="middle" fill="#555">${t * 10}%</text>`;
  }
  cells.forEach((c, i) => {
    const y = top + i * row;
    const m = c.joint[protocol]?.best;
    s += `<text x="${left - 6}" y="${y + 12}" text-anchor="end">${esc(c.cell.length > 46 ? `${c.cell.slice(0, 45)}…` : c.cell)}</text>`;
    if (m && m.n > 0) {
      s += `<rect x="${left}" y="${y + 3}" width="${(x(m.mean) - left).toFixed(1)}" height="${row - 6}" fill="#4a7ab5"><title>${esc(c.cell)}: ${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)} (${m.n} seeds)</title></rect>`;
      if (m.n > 1) s += `<line x1="${x(m.mean - m.std).toFixed(1)}" x2="${x(m.mean + m.std).toFixed(1)}" y1="${y + row / 2}" y2="${y + row / 2}" stroke="#111" stroke-width="1.5"/>`;
    }
  });
  const vline = (v: number | undefined, color: string, label: string, k: number) => {
    if (v === undefined || !Number.isFinite(v)) return '';
    const xx = x(v).toFixed(1);
    return `<line x1="${xx}" x2="${xx}" y1="${top - 6}" y2="${H - 30}" stroke="${color}" stroke-width="2" stroke-dasharray="5 3"><title>${esc(label)}: ${(100 * v).toFixed(1)}%</title></line>` +
      `<text x="${8 + k * 250}" y="${H - 4}" fill="${color}">${esc(label)} ${(100 * v).toFixed(1)}%</text>`;
  };
  const raw = Object.values(rawNN)[0];
  const b = baselines[0];
  s += vline(raw, '#c0392b', 'raw-joint 1-NN', 0);
  s += vline(b?.random[protocol]?.best.mean, '#7f8c8d', 'random encoder', 1);
  s += vline(b?.supervised?.best.mean, '#27ae60', 'supervised', 2);
  return { svg: s, height: H };
}
