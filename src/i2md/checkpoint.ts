/**
 * Pre-training checkpoints: every tensor of the model and the optimiser's velocities in one
 * safetensors file, the rest (epoch, step, queue pointer, counters, RNG streams, config) in a
 * JSON file. Both are written to temp files and renamed, the JSON last; the JSON names the step
 * the weights belong to, so a crash between the two renames is detected on resume.
 */
import { host } from '../gpu/host.js';
import { saveSafetensors, loadSafetensors, type TensorMap } from '../data/safetensors.js';
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
}

export const weightsFile = 'checkpoint.safetensors';
export const stateFile = 'checkpoint.json';

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
  saveSafetensors(host.path.join(dir, weightsFile), tensors, { format: 'i2md-pretrain', step: String(state.step) });
  const file: StateFile = {
    ...state,
    weights: weightsFile,
    queuePtr: model.queuePtr,
    counters: Object.fromEntries(model.namedCounters().map(([n, c]) => [n, c.value])),
    dropRngs: Object.fromEntries(model.branches.flatMap((b) => [[`${b.modality}.q`, b.encoderQ.dropRng?.state()], [`${b.modality}.k`, b.encoderK.dropRng?.state()]]).filter(([, v]) => v)),
    velocityShapes: velocity.map((v) => (v ? [v.length] : null)),
  };
  host.files.writeAtomic(host.path.join(dir, stateFile), JSON.stringify(file, null, 1));
}

export function readTrainState(dir: string): TrainState {
  const path = host.path.join(dir, stateFile);
  if (!host.files.exists(path)) throw new UserError(`${dir}: no ${stateFile} — not a run folder with a checkpoint`);
  let state: StateFile;
  try {
    state = JSON.parse(host.files.readText(path)) as StateFile;
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (state.config) state.config = normalizeConfig(state.config);
  return state;
}

/** Restores model, optimiser and RNG streams from a run folder; returns where training stopped. */
export function loadCheckpoint(dir: string, model: I2MDModel, sgd: SGD): TrainState {
  const state = readTrainState(dir) as StateFile;
  const { tensors, metadata } = loadSafetensors(host.path.join(dir, state.weights ?? weightsFile));
  if (metadata.step !== String(state.step)) {
    throw new UserError(`${dir}: ${weightsFile} is from step ${metadata.step} but ${stateFile} says step ${state.step} (interrupted save?)`);
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
