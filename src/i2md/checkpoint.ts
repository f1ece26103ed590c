/**
 * Pre-training checkpoints, committed as a whole. Every tensor of the model and the optimiser's
 * velocities go to `checkpoint-<step>.safetensors`, the rest (epoch, step, queue pointer, counters,
 * RNG streams, config) to `checkpoint-<step>.json`; both are written through temp files, fsynced,
 * and only then does one rename of the small manifest `checkpoint.json` (the same state, naming its
 * weights file) move the pointer. A crash at any instant leaves the manifest naming a complete,
 * matching pair — the new one or the previous — and the files of the two latest commits are kept.
 * `checkpoint.safetensors` is then re-linked to the current weights for outside tools (PyTorch
 * scripts); the engine itself always follows the manifest. Runs of the older layout (one
 * `checkpoint.safetensors` + `checkpoint.json` naming it) load unchanged.
 */
import { host } from '../gpu/host.js';
import { saveSafetensors, loadSafetensors, assertFiniteTensors, type TensorMap } from '../data/safetensors.js';
import { G } from '../tensor/tensor.js';
import { GpuRng, type GpuRngState } from '../ops/random.js';
import { UserError } from '../util/errors.js';
import type { I2MDModel } from './model.js';
import type { SGD } from '../optim/sgd.js';
import { normalizeConfig, type PretrainConfig } from './config.js';

export interface TrainState {
  epoch: number;          // epochs completed
  step: number;           // optimiser steps taken
  batchInEpoch: number;   // batches of `epoch` already consumed (a mid-epoch stop)
  config: PretrainConfig;
  dataset: string;
}

interface StateFile extends TrainState {
  weights: string;
  queuePtr: number;
  counters: Record<string, number>;
  dropRngs: Record<string, GpuRngState>;
  velocityShapes: (number[] | null)[];
  /** the commit's own state file, and the previous commit's (absent in the older layout) */
  stateFile?: string;
  previous?: string;
}

const join = (...parts: string[]) => host.path.join(...parts);

export const weightsFile = 'checkpoint.safetensors';
export const stateFile = 'checkpoint.json';

/** The stages of a commit, in order; a fault injected after any of them must leave a loadable run. */
export const commitStages = ['weights', 'state', 'manifest', 'link'] as const;
export type CommitStage = (typeof commitStages)[number];

/**
 * Fault injection for the commit: the env var I2MD_CHECKPOINT_FAULT=<stage> kills the process
 * (SIGKILL, as a power cut would) right after that stage; tests may set `hook` to throw instead.
 */
export const checkpointFaults: { hook?: (stage: CommitStage) => void } = {};
function reached(stage: CommitStage): void {
  if (host.env('I2MD_CHECKPOINT_FAULT') === stage) host.crash();
  checkpointFaults.hook?.(stage);
}

const stepName = (step: number, tag: string) => `checkpoint-${String(step).padStart(8, '0')}${tag}`;

/** The manifest now in `dir`, or undefined (a new run, or an unreadable manifest to be replaced). */
function currentManifest(dir: string): StateFile | undefined {
  try { return JSON.parse(host.files.readText(join(dir, stateFile))) as StateFile; } catch { return undefined; }
}

export async function saveCheckpoint(dir: string, model: I2MDModel, sgd: SGD, state: TrainState): Promise<void> {
  const tensors: TensorMap = {};
  for (const [name, t] of model.namedTensors()) tensors[name] = { dtype: 'F32', shape: [...t.shape], data: await t.read() };
  const names = model.names;
  if (names.queuePtr) {
    // the official module's state also holds BN's counters and the queue pointers (int64): with
    // them the run's encoders and queues load into it with strict=True
    for (const [name, c] of model.namedCounters()) tensors[name] = { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(c.value)) };
    for (const b of model.branches) tensors[names.queuePtr(b.modality)] = { dtype: 'I64', shape: [1], data: BigInt64Array.of(BigInt(model.queuePtr)) };
  }
  const velocity = await sgd.state();
  velocity.forEach((v, i) => { if (v) tensors[`optimizer.velocity.${i}`] = { dtype: 'F32', shape: [v.length], data: v }; });

  // the live commit's files are never rewritten: a step saved again (a fresh run in an old folder) gets a suffix
  const old = currentManifest(dir);
  const live = new Set([old?.weights, old?.stateFile, old?.previous].filter(Boolean) as string[]);
  let tag = '';
  for (let n = 1; live.has(stepName(state.step, `${tag}.json`)) || live.has(stepName(state.step, `${tag}.safetensors`)); n++) tag = `-${n}`;
  const weights = stepName(state.step, `${tag}.safetensors`), own = stepName(state.step, `${tag}.json`);
  const intact = old ? 'the previous checkpoint is intact' : undefined;
  saveSafetensors(join(dir, weights), tensors, { format: 'i2md-pretrain', step: String(state.step) }, 'writing checkpoint weights', intact);
  reached('weights');
  const file: StateFile = {
    ...state,
    weights,
    queuePtr: model.queuePtr,
    counters: Object.fromEntries(model.namedCounters().map(([n, c]) => [n, c.value])),
    dropRngs: Object.fromEntries(model.branches.flatMap((b) => [[`${b.modality}.q`, b.encoderQ.dropRng?.state()], [`${b.modality}.k`, b.encoderK.dropRng?.state()]]).filter(([, v]) => v)),
    velocityShapes: velocity.map((v) => (v ? [v.length] : null)),
    stateFile: own,
    previous: old?.stateFile,
  };
  const json = JSON.stringify(file, null, 1);
  host.files.writeAtomic(join(dir, own), json, 'writing checkpoint state', intact);
  reached('state');
  host.files.writeAtomic(join(dir, stateFile), json, 'switching to the new checkpoint', intact);   // the commit
  reached('manifest');
  relinkWeights(dir, weights);
  reached('link');
  prune(dir, new Set([weights, own, old?.weights, old?.stateFile].filter(Boolean) as string[]));
}

/** `checkpoint.safetensors` → the current weights (a hard link, swapped in by rename); best effort. */
function relinkWeights(dir: string, weights: string): void {
  const tmp = join(dir, `${weightsFile}.link-${host.pid()}`);
  try {
    host.files.remove(tmp);
    host.files.link(join(dir, weights), tmp);
    host.files.rename(tmp, join(dir, weightsFile));
    host.files.fsyncDir(dir);
  } catch {
    // no hard links here: a stale copy would mislead, so there is none
    try { host.files.remove(tmp); host.files.remove(join(dir, weightsFile)); } catch { /* nothing more to do */ }
  }
}

/** Removes step-named files and leftover temp files of commits other than the two kept. */
function prune(dir: string, keep: Set<string>): void {
  for (const f of host.files.list(dir)) {
    const stale = /^checkpoint-\d+(-\d+)?\.(safetensors|json)$/.test(f) ? !keep.has(f) : /^checkpoint[-.].*\.(tmp|link)-\d+$/.test(f);
    if (stale) try { host.files.remove(join(dir, f)); } catch { /* a leftover costs only space */ }
  }
}

export function readTrainState(dir: string): TrainState {
  const path = join(dir, stateFile);
  if (!host.files.exists(path)) throw new UserError(`${dir}: no ${stateFile} — not a run folder with a checkpoint`);
  let state: StateFile;
  try {
    state = JSON.parse(host.files.readText(path)) as StateFile;
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof state !== 'object' || state === null || !Number.isSafeInteger(state.step) || state.step < 0 || typeof state.config !== 'object') {
    throw new UserError(`${path}: not a checkpoint state (expected an object with a whole "step" ≥ 0 and a "config")`);
  }
  if (state.config) state.config = normalizeConfig(state.config);
  return state;
}

/** The weights file a run's manifest names (the older layout: checkpoint.safetensors). */
export function weightsPath(dir: string, state: TrainState = readTrainState(dir)): string {
  const name = (state as StateFile).weights ?? weightsFile;
  if (typeof name !== 'string' || name.includes('/') || name.includes('\\')) throw new UserError(`${join(dir, stateFile)}: "weights" must name a file in the run folder`);
  return join(dir, name);
}

/** Restores model, optimiser and RNG streams from a run folder; returns where training stopped. */
export function loadCheckpoint(dir: string, model: I2MDModel, sgd: SGD): TrainState {
  const state = readTrainState(dir) as StateFile;
  const wpath = weightsPath(dir, state);
  const { tensors, metadata } = loadSafetensors(wpath);
  assertFiniteTensors(wpath, tensors);
  if (metadata.step !== String(state.step)) {
    throw new UserError(`${dir}: ${state.weights ?? weightsFile} is from step ${metadata.step} but ${stateFile} says step ${state.step} (interrupted save?)`);
  }
  const missing: string[] = [];
  for (const [name, t] of model.namedTensors()) {
    const src = tensors[name];
    if (!src || src.data.length !== t.size) { missing.push(name); continue; }
    G().write(t.buffer, src.data as Float32Array);
  }
  if (missing.length) throw new UserError(`${dir}: checkpoint does not match the model (${missing.length} tensors missing or mis-shaped, e.g. ${missing.slice(0, 3).join(', ')})`);
  sgd.load(state.velocityShapes.map((s, i) => (s ? (tensors[`optimizer.velocity.${i}`].data as Float32Array) : null)));
  model.queuePtr = state.queuePtr;
  for (const [name, c] of model.namedCounters()) c.value = state.counters[name] ?? 0;
  for (const b of model.branches) {
    const q = state.dropRngs[`${b.modality}.q`], k = state.dropRngs[`${b.modality}.k`];
    if (q && b.encoderQ.dropRng) b.encoderQ.dropRng = GpuRng.fromState(q);
    if (k && b.encoderK.dropRng) b.encoderK.dropRng = GpuRng.fromState(k);
  }
  return state;
}
