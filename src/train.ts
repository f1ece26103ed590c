#!/usr/bin/env node
/**
 * The command line: wires the subcommands of src/cli together. With no subcommand it runs the
 * main job (`main`): synthesise the embedded dataset, pre-train, evaluate.
 */
import { createRequire } from 'node:module';
import type yargsModule from 'yargs';
import { hideBin } from 'yargs/helpers';

// yargs' CommonJS build: its ESM build wraps help text at the column width in the middle of words
// (cliui's index.mjs has no word wrap); the CommonJS one wraps between words
const yargs = createRequire(import.meta.url)('yargs') as typeof yargsModule;
import { UserError } from './util/errors.js';
import { isSystemError, ioError } from './util/atomic.js';
import { parseKernelSettings } from './gpu/policy.js';
import { chooseSoftwareThreads } from './gpu/threads.js';
import { checkCommandName, scriptName, type Command } from './cli/command.js';

// name → module path; each module default-exports a Command.
const commands: Record<string, string> = {
  info: './cli/info.js',
  doctor: './cli/doctor.js',
  main: './cli/main.js',
  pretrain: './cli/pretrain.js',
  init: './cli/init.js',
  embed: './cli/embed.js',
  export: './cli/export.js',
  predict: './cli/predict.js',
  convert: './cli/convert.js',
  prepare: './cli/prepare.js',
  inspect: './cli/inspect.js',
  synth: './cli/synth.js',
  linear: './cli/linear.js',
  knn: './cli/knn.js',
  finetune: './cli/finetune.js',
  transfer: './cli/transfer.js',
  ablate: './cli/ablate.js',
  study: './cli/study.js',
  report: './cli/report.js',
  tune: './cli/tune.js',
};

async function loadCommand(path: string): Promise<Command | undefined> {
  try {
    return (await import(path)).default as Command;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(e).includes(path.slice(2))) return undefined;
    throw e;
  }
}

export async function main(argv: string[]): Promise<void> {
  checkCommandName(argv, [...Object.keys(commands), 'help']);
  let y = yargs(argv)
    .scriptName(scriptName(process.argv[1]))
    // the sentence goes to the epilogue: yargs hard-wraps further usage lines in the middle of words
    .usage('$0 [command] [options]')
    .epilog('With no command: the main job on the embedded dataset (synthesise, pre-train I²MD, evaluate).')
    .option('backend', { type: 'string', describe: 'force a WebGPU backend: vulkan, opengles, metal, d3d12, … (or env I2MD_BACKEND)', global: true })
    .option('software-threads', { type: 'number', describe: 'software adapters (llvmpipe, lavapipe): threads per dispatch, 1–32 (or env I2MD_SOFTWARE_THREADS; default: one per core, eight per core for paper-size encoders; LP_NUM_THREADS wins)', global: true })
    .option('kernel', { type: 'string', array: true, describe: 'force a kernel family\'s variant, family=value (repeatable; or env I2MD_KERNELS; `info --kernels` lists them)', global: true })
    .strict()
    // yargs would print usage and a stack trace for our errors; let them reach the handler below
    .fail((msg, err) => { throw err ?? new UserError(`${msg}\n(see --help)`); })
    .help()
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns ?? 100));
  for (const [name, path] of Object.entries(commands)) {
    const cmd = await loadCommand(path);
    if (!cmd) continue;
    const spec = name === 'main' ? ['$0', 'main'] : cmd.name;
    y = y.command(spec, cmd.describe, (b) => cmd.options(b), async (a) => {
      if (typeof a.backend === 'string') process.env.I2MD_BACKEND = a.backend;
      if (a['software-threads'] !== undefined) {
        process.env.I2MD_SOFTWARE_THREADS = String(a['software-threads']);
        chooseSoftwareThreads((name) => (name === 'LP_NUM_THREADS' ? undefined : process.env[name]), 1);   // a bad number stops here
      }
      if (Array.isArray(a.kernel) && a.kernel.length) {
        const given = a.kernel.map(String).join(',');
        parseKernelSettings(given, '--kernel');   // a typo stops here, before any work
        process.env.I2MD_KERNELS = [process.env.I2MD_KERNELS, given].filter(Boolean).join(',');
      }
      await cmd.run(a as Record<string, unknown>);
    });
  }
  await y.parseAsync();
}

main(hideBin(process.argv)).then(
  () => process.exit(process.exitCode ?? 0), // a live Dawn instance would keep Node running
  (e: unknown) => {
    if (e instanceof UserError) {
      console.error(`error: ${e.message}`);
      process.exit(e.exitCode);
    }
    // an OS error no write path wrapped (ENOSPC, EROFS, EACCES …) is still one line, not a trace
    if (isSystemError(e)) {
      console.error(`error: ${ioError(e, e.path ?? '(no path)', `${e.syscall ?? 'a file operation'}`).message}`);
      process.exit(1);
    }
    console.error(e);
    process.exit(70);
  },
);
