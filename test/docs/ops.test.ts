/**
 * docs/ops.md cannot rot silently: every path, WGSL entry point, op, tape record and reference it
 * names exists where it says, and every kernel file and every `record` of src/ has a row.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';
import { kernelFiles, kernelInterface } from '../../src/gpu/kernels.js';

const t = suite('docs/ops');

const read = (p: string) => readFileSync(join(projectRoot, p), 'utf8');
const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Row { line: string; ops: string[]; kernels: string; glue: string[]; backward: string; reference: string; tests: string[] }
const rows: Row[] = read('docs/ops.md').split('\n').filter((l) => l.startsWith('| `')).map((line) => {
  const c = line.slice(1, -1).split('|').map((s) => s.trim());
  assert.is(c.length, 6, `six columns: ${line}`);
  return { line, ops: ticks(c[0]).filter((n) => /^[\w.]+$/.test(n)), kernels: c[1], glue: ticks(c[2]), backward: c[3], reference: c[4], tests: ticks(c[5]) };
});

/** "`path`: `a`, `b`; `path2`: `c`" → [path, [a, b]], [path2, [c]]. */
function pathLists(cell: string): [string, string[]][] {
  return cell.split(';').map((part) => ticks(part)).filter((n) => n.length > 0 && /\.(ts|wgsl)$/.test(n[0])).map((n) => [n[0], n.slice(1)]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(projectRoot, dir)).sort().flatMap((name) => {
    const p = `${dir}/${name}`;
    return statSync(join(projectRoot, p)).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

t('every path named in docs/ops.md exists', () => {
  assert.ok(rows.length >= 50, `${rows.length} rows`);
  const paths = rows.flatMap((r) => ticks(r.line)).filter((s) => /^(src|test|kernels|bench|docs)\/\S+\.(ts|wgsl|md)$/.test(s));
  assert.ok(paths.length > 200, `${paths.length} paths`);
  for (const p of new Set(paths)) assert.ok(existsSync(join(projectRoot, p)), `${p} does not exist`);
  for (const r of rows) {
    assert.ok(r.glue.length > 0, `no glue file: ${r.line}`);
    assert.ok(r.tests.length > 0 || r.line.includes('no test'), `no test file: ${r.line}`);
  }
});

t('every kernel entry point named exists in its WGSL file, and every kernel file has a row', () => {
  const named = new Set<string>();
  for (const r of rows) {
    for (const [file, entries] of pathLists(r.kernels)) {
      const name = file.replace(/^kernels\//, '').replace(/\.wgsl$/, '');
      named.add(name);
      assert.ok(entries.length > 0, `${file}: no entry points named in ${r.ops.join(', ')}`);
      const m = kernelInterface(name);
      for (const e of entries) assert.ok(m.entries.has(e), `${file} has no entry point ${e} (row ${r.ops.join(', ')})`);
    }
  }
  for (const f of kernelFiles()) assert.ok(named.has(f), `kernels/${f}.wgsl has no row in docs/ops.md`);
});

t('the ops are exported by their glue, the records and references are where the row says, every record of src/ has a row', () => {
  const recorded = new Set<string>();
  for (const r of rows) {
    const glue = r.glue.map(read).join('\n');
    for (const op of r.ops) {
      const [name, method] = op.split('.');
      assert.match(glue, new RegExp(`export (async )?(function|const|class) ${escape(name)}\\b`), `${op} is not exported by ${r.glue.join(', ')}`);
      if (method) assert.match(glue, new RegExp(`\\n  ${escape(method)}\\(`), `${op}: no method ${method}`);
    }
    for (const [, name] of r.backward.matchAll(/record\('(\w+)'\)/g)) {
      recorded.add(name);
      assert.match(glue, new RegExp(`record\\(.*'${name}'`), `record('${name}') is not in ${r.glue.join(', ')}`);
    }
    for (const [file, names] of pathLists(r.reference)) {
      const src = read(file);
      for (const n of names) assert.match(src, new RegExp(`(function|const) ${escape(n)}\\b`), `${n} is not defined in ${file}`);
    }
  }
  for (const f of sourceFiles('src')) {
    for (const [, first] of read(f).matchAll(/\brecord\(([^,]*),/g)) {
      for (const [, name] of first.matchAll(/'(\w+)'/g)) assert.ok(recorded.has(name), `record('${name}') of ${f} has no row in docs/ops.md`);
    }
  }
});

t.run();
