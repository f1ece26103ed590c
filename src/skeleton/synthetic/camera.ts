/**
 * Viewpoints: like the three Kinects of NTU RGB+D, cameras stand around the scene at different
 * angles about the vertical, heights and distances, and report joints in their own frame
 * (metres, y up, z pointing away from the camera, as Kinect camera space).
 */
import type { Random } from './random.js';

export interface Camera {
  /** Rows: the camera's x, y, z axes in world coordinates. */
  axes: Float64Array;   // 9
  position: Float64Array; // 3
}

export interface ViewSpec { yaw: number; height: number; distance: number }

/**
 * `n` viewpoints spread evenly over −45°…+45° about the subjects (0° = in front); heights and
 * distances differ a little per view, as real rigs do.
 */
export function viewSpecs(n: number): ViewSpec[] {
  const out: ViewSpec[] = [];
  for (let k = 0; k < n; k++) {
    const yaw = n === 1 ? 0 : -45 + (90 * k) / (n - 1);
    out.push({ yaw, height: 1.0 + 0.2 * Math.sin(1.7 * k + 0.4), distance: 3.0 + 0.25 * Math.cos(2.3 * k + 1.1) });
  }
  return out;
}

/** One sample's camera: the view plus per-recording jitter of placement and aim. */
export function makeCamera(view: ViewSpec, r: Random): Camera {
  const yaw = (view.yaw + r.uniform(-5, 5)) * Math.PI / 180;
  const dist = view.distance + r.uniform(-0.35, 0.35);
  const h = view.height + r.uniform(-0.15, 0.15);
  const position = Float64Array.of(dist * Math.sin(yaw), h, dist * Math.cos(yaw));
  const target = [r.uniform(-0.1, 0.1), r.uniform(0.75, 1.0), r.uniform(-0.1, 0.1)];
  // z: towards the target; x: horizontal, so y stays close to up (a small roll is added after).
  let zx = target[0] - position[0], zy = target[1] - position[1], zz = target[2] - position[2];
  const zl = Math.hypot(zx, zy, zz); zx /= zl; zy /= zl; zz /= zl;
  // x = up × z, normalised; y = z × x
  let xx = zz, xz = -zx; const xl = Math.hypot(xx, xz); xx /= xl; xz /= xl;
  const yx = zy * xz, yy = zz * xx - zx * xz, yz = -zy * xx;
  // roll about z: the sensor is rarely perfectly level
  const roll = r.uniform(-2, 2) * Math.PI / 180, c = Math.cos(roll), s = Math.sin(roll);
  const ax = [c * xx + s * yx, s * yy, c * xz + s * yz];
  const ay = [-s * xx + c * yx, c * yy, -s * xz + c * yz];
  return { axes: Float64Array.of(ax[0], ax[1], ax[2], ay[0], ay[1], ay[2], zx, zy, zz), position };
}

/** World joints (x, y, z interleaved) → camera space, `count` joints. */
export function toCamera(cam: Camera, src: Float64Array, dst: Float64Array, count: number): void {
  const a = cam.axes, p = cam.position;
  for (let j = 0; j < count; j++) {
    const x = src[j * 3] - p[0], y = src[j * 3 + 1] - p[1], z = src[j * 3 + 2] - p[2];
    dst[j * 3] = a[0] * x + a[1] * y + a[2] * z;
    dst[j * 3 + 1] = a[3] * x + a[4] * y + a[5] * z;
    dst[j * 3 + 2] = a[6] * x + a[7] * y + a[8] * z;
  }
}
