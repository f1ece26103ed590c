/** The report's page pieces: the inline style sheet (system fonts only), sections and tables. */
import { esc } from './report-svg.js';

export const CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
header { padding: 16px 24px 4px; background: #fff; border-bottom: 1px solid #ddd; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 0 0 10px; } h3 { font-size: 14px; margin: 14px 0 6px; }
main { padding: 8px 24px 40px; }
section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 14px 18px; margin: 14px 0; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #eee; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
th { font-weight: 600; border-bottom: 1px solid #ccc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.muted { color: #888; }
svg.chart { background: #fff; font: 11px system-ui, sans-serif; max-width: 100%; height: auto; }
/* charts use the page width: a chart alone spans the section, charts in a grid share each row (the viewBox keeps proportions) */
section > svg.chart { width: 100%; max-width: 1200px; }
.grid > svg.chart { flex: 1 1 340px; width: 340px; max-width: 640px; }
svg .title { font-size: 12px; font-weight: 600; fill: #333; }
svg .tick, svg .legend { fill: #555; font-size: 10px; }
svg .label { fill: #444; font-size: 11px; }
svg .grid { stroke: #eee; } svg .axis { stroke: #999; }
svg .plotarea { fill: none; stroke: #ddd; }
svg .muted { fill: #999; }
ul.legend { list-style: none; padding: 0; margin: 0; columns: 2; font-size: 12px; max-width: 420px; }
ul.legend li { break-inside: avoid; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: -1px; }
pre { font-size: 12px; overflow-x: auto; }
`;

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}

/** A table of already-formatted strings (escaped here); cells that look numeric are right-aligned. */
export function table(head: string[], rows: string[][]): string {
  const numeric = (s: string) => /^[-+]?[\d.]+%?$/.test(s);
  const th = head.some((h) => h) ? `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` : '';
  return `<table>${th}<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td${numeric(c) ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** A fraction as a percentage with one decimal; '–' when absent. */
export function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : (100 * v).toFixed(1);
}
