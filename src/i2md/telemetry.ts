/**
 * What pre-training reports besides its losses, so a user sees in minutes whether a recipe is
 * learning: the instance-discrimination top-1 of each stream (how often the positive key beats
 * every key in the queue — chance is about 1/(K+1), a healthy run climbs well above it) and
 * running means of every term over the steps since the last log line (one batch's loss is noisy).
 */
import { host } from '../gpu/host.js';
import { Tensor, noGrad, tidy } from '../tensor/index.js';
import { add, mul, greater } from '../ops/elementwise.js';
import { sumAxes, mean, maxAxis } from '../ops/reduce.js';
import { queueSimRaw } from '../ops/contrastive.js';

/**
 * Fraction of rows whose positive logit q·k is strictly above every q·Q_j (q, k: (N, d)
 * L2-normalised; queue (d, K)). A scalar tensor, no gradient; ties count as misses.
 */
export function instanceAccuracy(q: Tensor, k: Tensor, queue: Tensor): Tensor {
  return instanceStats(q, k, queue).accuracy;
}

/**
 * The instance-discrimination top-1 with the mean positive similarity q·k and the mean
 * similarity to the queue: when both approach 1 the embeddings are collapsing (the positive may
 * still win by a hair while the loss sits near log(K + 1)).
 */
export function instanceStats(q: Tensor, k: Tensor, queue: Tensor): { accuracy: Tensor; positive: Tensor; negative: Tensor } {
  return noGrad(() => tidy(() => {
    const pos = sumAxes(mul(q, k), 1);
    const sims = queueSimRaw(q, queue);
    const neg = maxAxis(sims, 1).values;
    return { accuracy: mean(greater(pos, neg)), positive: mean(pos), negative: mean(sims) };
  }));
}

/** Per-term sums kept on the GPU (one add per term and step), read back as means when logged. */
export class RunningMeans {
  private sums = new Map<string, Tensor>();
  private counts = new Map<string, number>();

  /** Adds this step's scalars; takes ownership of them (they are disposed here). */
  push(terms: Record<string, Tensor>): void {
    for (const [name, t] of Object.entries(terms)) {
      const prev = this.sums.get(name);
      if (prev) {
        this.sums.set(name, noGrad(() => tidy(() => add(prev, t))).keep());
        prev.dispose(); t.dispose();
      } else this.sums.set(name, t);
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    }
  }

  /** Steps pushed since the last read (the most any term has). */
  get window(): number { return Math.max(0, ...this.counts.values()); }

  /** The mean of each term since the last read, then starts a new window. */
  async read(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    try {
      for (const [name, t] of this.sums) out[name] = (await t.item()) / this.counts.get(name)!;
    } finally { this.reset(); }
    return out;
  }

  reset(): void {
    for (const t of this.sums.values()) t.dispose();
    this.sums.clear(); this.counts.clear();
  }
}

/**
 * metrics.csv beside metrics.jsonl, for spreadsheets and plotting scripts: one row per line of
 * metrics.jsonl, the union of their keys as columns (step, epoch, kind first; terms appear when
 * their part of the loss starts, k-NN monitor rows have kind "knn"), empty cells where a row has
 * no value. Rewritten whole from metrics.jsonl at every checkpoint, so the two always agree.
 */
export function writeMetricsCsv(runDir: string): void {
  const src = host.path.join(runDir, 'metrics.jsonl');
  if (!host.files.exists(src)) return;
  const rows: Record<string, unknown>[] = [];
  for (const line of host.files.readText(src).split('\n')) {
    if (!line.trim()) continue;
    try { rows.push(JSON.parse(line) as Record<string, unknown>); } catch { /* a line cut short by a crash */ }
  }
  const first = ['step', 'epoch', 'kind'];
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cols = [...first.filter((k) => keys.includes(k)), ...keys.filter((k) => !first.includes(k))];
  const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  host.files.writeAtomic(host.path.join(runDir, 'metrics.csv'), [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n');
}
