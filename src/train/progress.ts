/**
 * A one-line progress bar on stderr: count, percentage, step time, samples/s, ETA. Redraws at
 * most every 200 ms so it costs nothing; prints plain lines when stderr is not a terminal.
 */
export class Progress {
  private start = performance.now();
  private last = 0;
  private lastLine = 0;
  constructor(private total: number, private label: string, private samplesPerStep = 1, private stream = process.stderr) {}

  update(done: number, extra = ''): void {
    const now = performance.now();
    const tty = this.stream.isTTY;
    if (done < this.total && now - this.last < (tty ? 200 : 10_000)) return;
    this.last = now;
    const elapsed = (now - this.start) / 1000;
    const perStep = done > 0 ? elapsed / done : 0;
    const eta = perStep * (this.total - done);
    const rate = perStep > 0 ? this.samplesPerStep / perStep : 0;
    const width = 24;
    const filled = Math.round((done / Math.max(1, this.total)) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const line = `${this.label} ${bar} ${done}/${this.total} ${(perStep * 1000).toFixed(0)} ms/step ${rate.toFixed(1)} samples/s ETA ${fmtTime(eta)} ${extra}`;
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
  const m = Math.floor(s / 60), r = Math.round(s % 60);
  return m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}
