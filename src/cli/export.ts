/**
 * `export RUN --out DIR`: each stream's query encoder of a pre-training run as a standalone
 * encoder safetensors, `DIR/<modality>.safetensors` — the PyTorch names of the encoder
 * (src/nn/checkpoint.ts; the official BIGRU's for GRU runs), BatchNorm's num_batches_tracked
 * included, so `load_state_dict(..., strict=True)` of scripts/torch_stgcn.py (or the official
 * GRU module) takes it as is. The metadata says everything needed to use it without the run:
 * encoder, layout table and sizes (what rebuilds the module), and the stream, frames, minimum
 * crop, normalisation, dataset and step of the run (so evaluating the export gives the same
 * score as evaluating the run: same frames). The projection head is kept unless --no-head.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { saveSafetensors, type TensorMap } from '../data/safetensors.js';
import { stateDict, metadataOf } from '../nn/checkpoint.js';
import { describeEncoder } from '../nn/encoder.js';
import { loadEncoderFrom, runFolderOf } from '../eval/load-encoder.js';
import { readTrainState } from '../i2md/checkpoint.js';
import { allModalities, type Modality } from '../i2md/config.js';
import { UserError } from '../util/errors.js';

export interface ExportOptions { run: string; out: string; modalities?: Modality[]; head?: boolean }
export interface ExportedFile { modality: Modality; path: string; tensors: number; metadata: Record<string, string> }

export async function exportRun(o: ExportOptions): Promise<ExportedFile[]> {
  const run = runFolderOf(o.run);
  if (!run) throw new UserError(`${o.run}: not a pre-training run folder (export reads a folder holding checkpoint.json and checkpoint.safetensors)`);
  const state = readTrainState(run);
  const streams = o.modalities ?? state.config.modalities;
  for (const m of streams) if (!state.config.modalities.includes(m)) throw new UserError(`--modality ${m}: the run ${run} pre-trained ${state.config.modalities.join(', ')}`);
  if (existsSync(o.out) && !statSync(o.out).isDirectory()) throw new UserError(`--out ${o.out}: is a file; expected a folder (it is created if missing)`);
  // refuse before writing anything: an export never replaces files silently
  const targets = streams.map((m) => join(o.out, `${m}.safetensors`));
  const clash = targets.filter((p) => existsSync(p));
  if (clash.length) throw new UserError(`--out ${o.out}: already holds ${clash.join(', ')}; remove them or choose another folder`);
  mkdirSync(o.out, { recursive: true });
  await initEngine();
  const written: ExportedFile[] = [];
  for (const [i, m] of streams.entries()) {
    const enc = loadEncoderFrom(run, m);
    try {
      let tensors: TensorMap = await stateDict(enc.model);
      const metadata: Record<string, string> = {
        ...metadataOf(enc.model),
        modality: m, frames: String(state.config.frames), min_crop: String(state.config.minCrop),
        normalize: state.config.normalize ?? 'none', dataset: state.dataset ?? '', step: String(state.step), epoch: String(state.epoch),
        exported_from: run,
      };
      if (o.head === false) {
        // the encoder alone: the module is rebuilt with head 'none', so no fc.* is expected
        tensors = Object.fromEntries(Object.entries(tensors).filter(([n]) => !n.startsWith('fc.') && n !== 'fc'));
        metadata.head = 'none';
      }
      saveSafetensors(targets[i], tensors, metadata);
      written.push({ modality: m, path: targets[i], tensors: Object.keys(tensors).length, metadata });
      if (i === 0) console.error(`encoder: ${describeEncoder(enc.model)}, layout ${enc.layout.name}, ${state.config.frames} frames`);
    } finally {
      enc.model.dispose();
    }
  }
  return written;
}

const command: Command = {
  name: 'export <run>',
  describe: 'write each stream\'s encoder of a pre-training run as a standalone safetensors (PyTorch names, strict=True loadable)',
  options: (y) => y
    .positional('run', { type: 'string', describe: 'pre-training run folder' })
    .option('out', { type: 'string', demandOption: true, describe: 'output folder: one <modality>.safetensors per stream' })
    .option('modality', { type: 'array', choices: [...allModalities], describe: 'streams to export (default: every stream of the run)' })
    .option('head', { type: 'boolean', default: true, describe: 'keep the projection head (fc.*); --no-head writes the encoder alone' }),
  async run(args) {
    const files = await exportRun({ run: args.run as string, out: args.out as string, modalities: args.modality as Modality[] | undefined, head: args.head as boolean });
    for (const f of files) console.log(`wrote ${f.path}: ${f.modality} encoder, ${f.tensors} tensors, frames ${f.metadata.frames}`);
    console.log(`load in PyTorch: python3 scripts/torch_stgcn.py ${files[0]?.path ?? ''} (ST-GCN; see docs/evaluation.md#export)`);
  },
};
export default command;
