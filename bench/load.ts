/**
 * A fixed background load for `npm run bench -- --load N` (docs/bench.md#load): N child processes,
 * each spinning one thread on an integer loop (a linear congruential generator: registers only, no
 * memory traffic), from before a module starts until it ends. Processes, not worker threads, so
 * the load's CPU time stays out of the records' `cpuMs` (the bench process's own). On a machine
 * with C cores, `--load C` is the "another job wants every core" case: a software adapter's
 * dispatches then lose the static share of every thread that is preempted.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** The loop each load process runs: prints "ready" once started, then spins until killed. */
export const LOAD_LOOP = `process.stdout.write('ready\\n'); let x = 1; for (;;) { for (let i = 0; i < 1e7; i++) x = (Math.imul(x, 1664525) + 1013904223) | 0; if (x === 42) console.log(x); }`;

export interface Load { processes: ChildProcess[]; stop(): Promise<void> }

/** Starts n spinning processes and resolves when every one is running. */
export async function startLoad(n: number): Promise<Load> {
  if (!(Number.isInteger(n) && n >= 0)) throw new Error(`--load takes a whole number of processes, got ${n}`);
  const processes = Array.from({ length: n }, () => spawn(process.execPath, ['-e', LOAD_LOOP], { stdio: ['ignore', 'pipe', 'inherit'] }));
  await Promise.all(processes.map((p) => new Promise<void>((resolve, reject) => {
    p.once('error', reject);
    p.once('exit', (code) => reject(new Error(`a load process exited (${code}) before it started`)));
    p.stdout!.once('data', () => resolve());
  })));
  return {
    processes,
    async stop() {
      await Promise.all(processes.map((p) => new Promise<void>((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null) { resolve(); return; }
        p.removeAllListeners('exit');
        p.once('exit', () => resolve());
        p.kill('SIGKILL');
      })));
    },
  };
}
