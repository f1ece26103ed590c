/**
 * Nearest neighbours with the skeletons drawn: an encoder (an uploaded .safetensors, or the
 * demo's) embeds every sequence of an uploaded (N, 3, T, V, M) float32 .npy (or the demo's
 * synthetic training set) the way `embed` does — the joint stream, eval mode, whole sequences —
 * and the page shows the query and its 5 nearest by cosine similarity, each an animated 3D stick
 * figure: the layout's edges, projected through a gl-matrix perspective camera orbiting the body.
 * Everything stays in the page.
 */
import { mat4, vec4 } from 'gl-matrix';
import {
  parseSafetensors, parseNpyHeader, encoderFromState, Tensor, tidy, noGrad, l2Normalize, getLayout,
  type Encoder, type Layout, type SkeletonDataset,
} from '../src/index.js';

interface Clip { data: Float32Array; T: number; V: number; M: number; label: string }

const fileBytes = async (input: HTMLInputElement): Promise<Uint8Array | undefined> => {
  const f = input.files?.[0];
  return f ? new Uint8Array(await f.arrayBuffer()) : undefined;
};

/** An uploaded .npy as float32 (N, 3, T, V, M). */
function npyClips(bytes: Uint8Array, name: string): { data: Float32Array; shape: number[] } {
  const h = parseNpyHeader(bytes, name);
  if (h.shape.length !== 5 || h.shape[1] !== 3) throw new Error(`${name}: shape (${h.shape.join(', ')}) is not (N, 3, T, V, M)`);
  const n = h.shape.reduce((a, b) => a * b, 1);
  const body = bytes.slice(h.dataOffset, h.dataOffset + n * (h.dtype === '<f8' ? 8 : 4));
  const data = h.dtype === '<f4' ? new Float32Array(body.buffer) : h.dtype === '<f8' ? Float32Array.from(new Float64Array(body.buffer)) : undefined;
  if (!data) throw new Error(`${name}: dtype ${h.dtype}; expected float32 or float64`);
  return { data, shape: h.shape };
}

/** Features of every sequence, L2-normalised, batch by batch (as `embed` does). */
async function embedAll(encoder: Encoder, data: Float32Array, shape: number[], batch = 32): Promise<Float32Array> {
  const [N, C, T, V, M] = shape, per = C * T * V * M, d = encoder.featureDim;
  const out = new Float32Array(N * d);
  encoder.eval();
  for (let s = 0; s < N; s += batch) {
    const b = Math.min(batch, N - s);
    const f = tidy(() => noGrad(() => l2Normalize(encoder.features(Tensor.from(data.subarray(s * per, (s + b) * per), [b, C, T, V, M])))));
    out.set(await f.read(), s * d);
    f.dispose();
  }
  return out;
}

/** Draws frame t of a clip: joints through the camera (orbit angle `yaw`), edges as lines, one colour per person. */
function drawFrame(c: CanvasRenderingContext2D, clip: Clip, layout: Layout, t: number, yaw: number): void {
  const { width: W, height: H } = c.canvas;
  c.clearRect(0, 0, W, H);
  const at = (m: number, v: number, k: number) => clip.data[((k * clip.T + t) * clip.V + v) * clip.M + m];
  // centre on the body's mean over the clip so every clip sits in the middle of its frame
  let cx = 0, cy = 0, cz = 0, count = 0;
  for (let tt = 0; tt < clip.T; tt++) for (let v = 0; v < clip.V; v++) {
    const i = (tt * clip.V + v) * clip.M;
    if (clip.data[i] || clip.data[clip.T * clip.V * clip.M + i]) { cx += clip.data[i]; cy += clip.data[clip.T * clip.V * clip.M + i]; cz += clip.data[2 * clip.T * clip.V * clip.M + i]; count++; }
  }
  if (count) { cx /= count; cy /= count; cz /= count; }
  const proj = mat4.perspective(mat4.create(), Math.PI / 4, W / H, 0.1, 100);
  const view = mat4.lookAt(mat4.create(), [4 * Math.sin(yaw), 0.3, 4 * Math.cos(yaw)], [0, 0, 0], [0, 1, 0]);
  const mvp = mat4.multiply(mat4.create(), proj, view);
  const p = vec4.create();
  const screen = (m: number, v: number): [number, number] | undefined => {
    const x = at(m, v, 0), y = at(m, v, 1), z = at(m, v, 2);
    if (x === 0 && y === 0 && z === 0) return undefined;   // an absent person or padded frame
    vec4.transformMat4(p, [x - cx, y - cy, z - cz, 1], mvp);
    return [(p[0] / p[3] * 0.5 + 0.5) * W, (1 - (p[1] / p[3] * 0.5 + 0.5)) * H];
  };
  c.lineWidth = 2;
  for (let m = 0; m < clip.M; m++) {
    c.strokeStyle = m === 0 ? '#1f5fbf' : '#c0262d';
    for (const [a, b] of layout.edges) {
      const pa = screen(m, a), pb = screen(m, b);
      if (!pa || !pb) continue;
      c.beginPath(); c.moveTo(...pa); c.lineTo(...pb); c.stroke();
    }
  }
  c.fillStyle = '#444'; c.font = '11px system-ui'; c.fillText(clip.label, 4, 12);
}

let animation = 0;
export async function runViewer(demo?: { encoder: Encoder; train: SkeletonDataset; layout: Layout }): Promise<void> {
  const st = document.querySelector('#viewer .status')!, box = document.querySelector('#viewer .figures')!;
  const say = (s: string) => { st.textContent = s; };
  try {
    const wBytes = await fileBytes(document.querySelector('#viewer input[name="weights"]')!);
    const nBytes = await fileBytes(document.querySelector('#viewer input[name="npy"]')!);
    let encoder: Encoder, own = false;
    if (wBytes) {
      const { tensors, metadata } = parseSafetensors(wBytes, 'encoder.safetensors');
      encoder = encoderFromState(tensors, metadata, 'the uploaded encoder'); own = true;
    } else if (demo) encoder = demo.encoder;
    else { say('choose an encoder .safetensors, or run the demo first'); return; }
    let data: Float32Array, shape: number[], labels: string[];
    if (nBytes) ({ data, shape } = npyClips(nBytes, 'skeletons.npy'));
    else if (demo) {
      const s0 = demo.train.get(0).data.length, N = Math.min(demo.train.size, 256);
      data = new Float32Array(N * s0);
      for (let i = 0; i < N; i++) data.set(demo.train.get(i).data, i * s0);
      shape = [N, 3, s0 / 3 / encoder.layout.V / 2, encoder.layout.V, 2];
    } else { say('choose a .npy of skeletons, or run the demo first'); return; }
    labels = Array.from({ length: shape[0] }, (_, i) => (nBytes ? `#${i}` : `#${i} class ${demo!.train.get(i).label}`));
    const layout = encoder.layout ?? getLayout('ntu25');
    if (shape[3] !== layout.V) throw new Error(`the skeletons have ${shape[3]} joints, the encoder's layout ${layout.name} ${layout.V}`);
    say(`embedding ${shape[0]} sequences…`);
    const feats = await embedAll(encoder, data, shape);
    if (own) encoder.dispose();
    const d = feats.length / shape[0];
    const q = Math.min(Math.max(0, Number((document.querySelector('#viewer input[name="query"]') as HTMLInputElement).value) | 0), shape[0] - 1);
    const sims = Array.from({ length: shape[0] }, (_, i) => { let s = 0; for (let j = 0; j < d; j++) s += feats[q * d + j] * feats[i * d + j]; return [i, s] as const; });
    const nearest = sims.filter(([i]) => i !== q).sort((a, b) => b[1] - a[1]).slice(0, 5);
    const [N, , T, V, M] = shape, per = 3 * T * V * M;
    const clips: Clip[] = [[q, 1] as const, ...nearest].map(([i, s]) => ({
      data: data.subarray(i * per, (i + 1) * per), T, V, M, label: i === q ? `query ${labels[i]}` : `${labels[i]} cos ${s.toFixed(4)}`,
    }));
    box.innerHTML = '';
    const ctxs = clips.map((c) => {
      const fig = document.createElement('figure'), canvas = Object.assign(document.createElement('canvas'), { width: 200, height: 220 });
      fig.append(canvas); box.append(fig);
      return { c: canvas.getContext('2d')!, clip: c };
    });
    cancelAnimationFrame(animation);
    const t0 = performance.now();
    const frame = () => {
      const s = (performance.now() - t0) / 1000;
      for (const { c, clip } of ctxs) drawFrame(c, clip, layout, Math.floor(s * 15) % clip.T, 0.4 * s);
      animation = requestAnimationFrame(frame);
    };
    frame();
    say(`query #${q} of ${N}: its 5 nearest by cosine similarity of the joint-stream features`);
  } catch (e) { say(`error: ${(e as Error).message}`); throw e; }
}
