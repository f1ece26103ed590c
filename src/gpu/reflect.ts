/**
 * Reading a kernel's interface out of its WGSL text, so that dispatch sites name what they pass:
 * the uniform struct an entry reads at binding 0 (field names, types, byte offsets under the
 * uniform layout rules) and the buffers it binds (one name per binding).
 *
 * The rules the kernels follow, checked here:
 *   - every binding is `@group(0) @binding(n) var<…> name: type;`; binding 0 is the uniform struct;
 *   - one name per binding number, except a vec4 view, which carries the same name followed by `4`
 *     (`x` and `x4` at binding 1): dispatch sites use the plain name;
 *   - an entry point binds what it uses, directly or through the functions it calls (WebGPU's
 *     `auto` layout keeps exactly those), so a dispatch must give those and may give others the
 *     module declares (one bindings object can serve several entries of a file).
 * The parser knows only what the kernels use: scalar, vecN and fixed-size array fields, no
 * `@align`/`@size`. Anything else is an error naming the file.
 */

export type ScalarKind = 'u32' | 'i32' | 'f32';

/** One field of a uniform struct: `words` 32-bit slots from word `offset`, elements `stride` words apart. */
export interface ParamField { name: string; kind: ScalarKind; offset: number; count: number; stride: number }

/** A uniform struct: its fields (and their names, for the unknown-name check) and its size in bytes (a multiple of 16, as a uniform binding needs). */
export interface ParamLayout { struct: string; fields: ParamField[]; names: Set<string>; bytes: number }

/** A buffer an entry binds. */
export interface BindingSlot { name: string; binding: number; uniform: boolean }

export interface EntryInterface {
  /** The uniform struct at binding 0 the entry reads (undefined: the entry takes no params). */
  params?: ParamLayout;
  /** The other bindings the entry uses, by binding number. */
  bindings: BindingSlot[];
}

export interface ModuleInterface {
  file: string;
  entries: Map<string, EntryInterface>;
  /** Every binding name the module declares (a dispatch naming anything else is an error). */
  names: Set<string>;
  /** Breaches of the rules above: a dispatch by name refuses such a module (tests check every kernel has none). */
  errors: string[];
}

interface GlobalVar { name: string; binding: number; space: string; type: string }
interface FnDef { name: string; idents: Set<string> }

const WORD = /[A-Za-z_]\w*/g;

/** The text without comments (line and block). */
export function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, '');
}

/** Splits at commas outside angle brackets: `a: u32, b: array<vec4<u32>, 2>` → two fields. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === ',' && depth === 0) { out.push(s.slice(start, i)); start = i + 1; }
  }
  out.push(s.slice(start));
  return out.map((x) => x.trim()).filter(Boolean);
}

interface TypeLayout { kind: ScalarKind; align: number; size: number; count: number; stride: number }

/** Size and alignment in bytes of a type in the uniform address space. */
function typeLayout(type: string, file: string): TypeLayout {
  const t = type.replace(/\s+/g, '');
  if (t === 'u32' || t === 'i32' || t === 'f32') return { kind: t, align: 4, size: 4, count: 1, stride: 1 };
  const vec = /^vec([234])<(u32|i32|f32)>$/.exec(t) ?? /^vec([234])([uif])$/.exec(t);
  if (vec) {
    const n = Number(vec[1]);
    const kind = (vec[2].length === 1 ? { u: 'u32', i: 'i32', f: 'f32' }[vec[2]] : vec[2]) as ScalarKind;
    const align = n === 2 ? 8 : 16;
    return { kind, align, size: 4 * n, count: n, stride: 1 };
  }
  const arr = /^array<(.+),(\d+)u?>$/.exec(t);
  if (arr) {
    const el = typeLayout(arr[1], file);
    if (el.count !== 1 && el.stride !== 1) throw new Error(`${file}: nested arrays are not supported in uniform params (${type})`);
    const n = Number(arr[2]);
    const elStride = Math.ceil(el.size / 16) * 16;   // uniform arrays: elements 16 bytes apart at least
    // an array of vecN is n·N values; of scalars, n values each in its own 16-byte slot
    return { kind: el.kind, align: 16, size: n * elStride, count: n * el.count, stride: el.count === 1 ? elStride / 4 : 1 };
  }
  throw new Error(`${file}: unsupported uniform field type '${type}'`);
}

function parseStruct(name: string, body: string, file: string): ParamLayout {
  const fields: ParamField[] = [];
  let offset = 0, maxAlign = 4;
  for (const decl of splitTopLevel(body)) {
    const m = /^(\w+)\s*:\s*(.+)$/s.exec(decl);
    if (!m) throw new Error(`${file}: cannot read the field '${decl}' of struct ${name}`);
    if (decl.includes('@')) throw new Error(`${file}: attributes on struct fields are not supported (${name}.${m[1]})`);
    const l = typeLayout(m[2], file);
    offset = Math.ceil(offset / l.align) * l.align;
    maxAlign = Math.max(maxAlign, l.align);
    fields.push({ name: m[1], kind: l.kind, offset: offset / 4, count: l.count, stride: l.stride });
    offset += l.size;
  }
  const bytes = Math.ceil(offset / Math.max(16, maxAlign)) * Math.max(16, maxAlign);
  return { struct: name, fields, names: new Set(fields.map((f) => f.name)), bytes };
}

/** The text between the brace at `open` and its match. */
function braceBody(src: string, open: number): { body: string; end: number } {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return { body: src.slice(open + 1, i), end: i };
  }
  throw new Error('unbalanced braces');
}

/**
 * The identifiers a function refers to that are not its own: parameters, `let`/`var`/`const`
 * names declared inside and field names after a dot are left out.
 */
function referencedIdents(params: string, body: string): Set<string> {
  const local = new Set<string>();
  for (const m of params.matchAll(/(\w+)\s*:/g)) local.add(m[1]);
  for (const m of body.matchAll(/\b(?:let|var|const)\s+(\w+)/g)) local.add(m[1]);
  const out = new Set<string>();
  for (const m of body.matchAll(WORD)) {
    const at = m.index!;
    let j = at - 1;
    while (j >= 0 && /\s/.test(body[j])) j--;
    if (j >= 0 && body[j] === '.') continue;
    if (!local.has(m[0])) out.add(m[0]);
  }
  return out;
}

/** Reads the interface of every entry point of one module's (include-expanded) source. */
export function reflectModule(file: string, source: string): ModuleInterface {
  const src = stripComments(source);
  const structs = new Map<string, string>();
  for (const m of src.matchAll(/\bstruct\s+(\w+)\s*\{([^}]*)\}/g)) structs.set(m[1], m[2]);

  const vars: GlobalVar[] = [];
  for (const m of src.matchAll(/@group\(\s*(\d+)\s*\)\s*@binding\(\s*(\d+)\s*\)\s*var\s*(?:<([^>]*)>)?\s*(\w+)\s*:\s*([^;]+);/g)) {
    if (m[1] !== '0') throw new Error(`${file}: binding ${m[4]} is in group ${m[1]}; kernels use group 0 only`);
    vars.push({ binding: Number(m[2]), space: (m[3] ?? '').trim(), name: m[4], type: m[5].trim() });
  }
  const byName = new Map(vars.map((v) => [v.name, v]));

  // one name per binding number (a vec4 view adds the suffix 4)
  const canonical = new Map<string, string>();
  const perBinding = new Map<number, GlobalVar[]>();
  for (const v of vars) { if (!perBinding.has(v.binding)) perBinding.set(v.binding, []); perBinding.get(v.binding)!.push(v); }
  const names = new Set<string>();
  const errors: string[] = [];
  for (const [binding, vs] of perBinding) {
    if (binding === 0) continue;
    const plain = vs.filter((v) => !vs.some((w) => w !== v && v.name === `${w.name}4`));
    if (plain.length !== 1) {
      errors.push(`${file}: binding ${binding} has the names ${vs.map((v) => v.name).join(', ')}; a binding takes one name (a vec4 view adds the suffix 4)`);
    }
    for (const v of vs) canonical.set(v.name, plain[0]?.name ?? v.name);
    names.add(plain[0]?.name ?? vs[0].name);
  }

  const fns = new Map<string, FnDef>();
  const entryNames: string[] = [];
  for (const m of src.matchAll(/\bfn\s+(\w+)\s*\(/g)) {
    const name = m[1];
    // parameters: up to the matching parenthesis; then the body's brace
    let depth = 0, i = m.index! + m[0].length - 1;
    for (; i < src.length; i++) { if (src[i] === '(') depth++; else if (src[i] === ')' && --depth === 0) break; }
    const params = src.slice(m.index! + m[0].length, i);
    const open = src.indexOf('{', i);
    const { body } = braceBody(src, open);
    fns.set(name, { name, idents: referencedIdents(params, body) });
    // an entry point: @compute among the attributes right before `fn`
    const before = src.slice(Math.max(0, m.index! - 200), m.index!);
    const lastEnd = Math.max(before.lastIndexOf(';'), before.lastIndexOf('}'));
    if (/@compute\b/.test(before.slice(lastEnd + 1))) entryNames.push(name);
  }

  const entries = new Map<string, EntryInterface>();
  for (const entry of entryNames) {
    const used = new Set<string>();
    const seen = new Set<string>();
    const stack = [entry];
    while (stack.length) {
      const f = fns.get(stack.pop()!)!;
      if (seen.has(f.name)) continue;
      seen.add(f.name);
      for (const id of f.idents) {
        if (fns.has(id) && !seen.has(id)) stack.push(id);
        else if (byName.has(id)) used.add(id);
      }
    }
    let params: ParamLayout | undefined;
    const slots = new Map<number, BindingSlot>();
    for (const name of used) {
      const v = byName.get(name)!;
      if (v.binding === 0) {
        if (params && params.struct !== v.type) throw new Error(`${file}:${entry} reads two uniform structs at binding 0`);
        const body = structs.get(v.type);
        if (body === undefined) throw new Error(`${file}: binding 0 of ${entry} has type ${v.type}, which is not a struct of the file`);
        params = parseStruct(v.type, body, file);
      } else {
        slots.set(v.binding, { name: canonical.get(name)!, binding: v.binding, uniform: v.space.startsWith('uniform') });
      }
    }
    entries.set(entry, { params, bindings: [...slots.values()].sort((a, b) => a.binding - b.binding) });
  }
  return { file, entries, names, errors };
}
