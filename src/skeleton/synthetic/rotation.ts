/**
 * Just the quaternion maths forward kinematics needs, on plain Float64Arrays so a whole body is
 * posed without allocating (the generator poses millions of joints). Quaternions are [x, y, z, w].
 */
export type Quat = Float64Array;
export type Vec3 = Float64Array;

export const DEG = Math.PI / 180;

export const quat = (): Quat => Float64Array.of(0, 0, 0, 1);

export function identity(out: Quat): Quat { out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 1; return out; }

/** out = a · b (apply b first, then a). out may alias a or b. */
export function mul(out: Quat, a: Quat, b: Quat): Quat {
  const ax = a[0], ay = a[1], az = a[2], aw = a[3];
  const bx = b[0], by = b[1], bz = b[2], bw = b[3];
  out[0] = aw * bx + ax * bw + ay * bz - az * by;
  out[1] = aw * by - ax * bz + ay * bw + az * bx;
  out[2] = aw * bz + ax * by - ay * bx + az * bw;
  out[3] = aw * bw - ax * bx - ay * by - az * bz;
  return out;
}

/** out = out · R_axis(deg): append a rotation about a local coordinate axis (0 x, 1 y, 2 z). */
export function rotateLocal(out: Quat, axis: 0 | 1 | 2, deg: number): Quat {
  if (deg === 0) return out;
  const h = 0.5 * deg * DEG, s = Math.sin(h), c = Math.cos(h);
  const x = out[0], y = out[1], z = out[2], w = out[3];
  // out · (s·e_axis, c)
  if (axis === 0) { out[0] = x * c + w * s; out[1] = y * c + z * s; out[2] = z * c - y * s; out[3] = w * c - x * s; }
  else if (axis === 1) { out[0] = x * c - z * s; out[1] = y * c + w * s; out[2] = z * c + x * s; out[3] = w * c - y * s; }
  else { out[0] = x * c + y * s; out[1] = y * c - x * s; out[2] = z * c + w * s; out[3] = w * c - z * s; }
  return out;
}

/**
 * dst[d..d+3] = src[s..s+3] + q·(x, y, z): place a child joint at its parent plus the rotated
 * bone offset.
 */
export function placeChild(dst: Float64Array, d: number, src: Float64Array, s: number, q: Quat, x: number, y: number, z: number): void {
  const qx = q[0], qy = q[1], qz = q[2], qw = q[3];
  // v' = v + 2w(q×v) + 2 q×(q×v)
  const tx = 2 * (qy * z - qz * y), ty = 2 * (qz * x - qx * z), tz = 2 * (qx * y - qy * x);
  dst[d] = src[s] + x + qw * tx + (qy * tz - qz * ty);
  dst[d + 1] = src[s + 1] + y + qw * ty + (qz * tx - qx * tz);
  dst[d + 2] = src[s + 2] + z + qw * tz + (qx * ty - qy * tx);
}
