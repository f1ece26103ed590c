/**
 * A one-line progress bar on stderr: count, time per item, rate, ETA. Redraws at most every
 * 200 ms so it costs nothing; prints a plain line every 10 s when stderr is not a terminal.
 * Used by pre-training (items = steps, rate in samples/s) and by `prepare` (items = sequences).
 */
export interface ProgressOptions {
  item?: string;        // what one count is: 'step' (default), 'seq', …
  perItem?: number;     // samples per item, for the rate (default 1)
  rateUnit?: string;    // default 'samples/s'
  start?: number;       // items done before this process (a resumed run), not counted in the rates
  stream?: NodeJS.WriteStream;
}

export class Progress {
  private start = performance.now();
  private last = 0;
  private lastLine = 0;
  private readonly item: string; private readonly perItem: number; private readonly rateUnit: string;
  private readonly start0: number; private readonly stream: NodeJS.WriteStream;
  constructor(private total: number, private label: string, o: ProgressOptions = {}) {
    this.item = o.item ?? 'step'; this.perItem = o.perItem ?? 1; this.rateUnit = o.rateUnit ?? 'samples/s';
    this.start0 = o.start ?? 0; this.stream = o.stream ?? process.stderr;
  }

  update(done: number, extra = ''): void {
    const now = performance.now();
    const tty = this.stream.isTTY;
    if (done < this.total && now - this.last < (tty ? 200 : 10_000)) return;
    this.last = now;
    const elapsed = (now - this.start) / 1000;
    const perStep = done > this.start0 ? elapsed / (done - this.start0) : 0;
    const eta = perStep * (this.total - done);
    const rate = perStep > 0 ? this.perItem / perStep : 0;
    const width = 24;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${this.label} ${bar} ${done}/${this.total} ${(perStep * 1000).toFixed(0)} ms/${this.item} ${rate.toFixed(1)} ${this.rateUnit} ETA ${fmtTime(eta)} ${extra}`;
    if (tty) this.stream.write(`\r${line.padEnd(this.lastLine)}`);
    else this.stream.write(`${line}\n`);
    this.lastLine = line.length;
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);   // round first: 119.6 s is 2m00s, not 1m60s
  const m = Math.floor(t / 60), r = t % 60;
  return m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}
