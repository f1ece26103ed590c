/** Writes a whole array exactly as `numpy.save` does: test fixtures (the library writes through NpyStreamWriter). */
import { NpyStreamWriter, type NpyDtype, type NumericArray } from '../../src/data/npy.js';

export function writeNpy(path: string, dtype: NpyDtype, shape: readonly number[], data: ArrayLike<number> | NumericArray): void {
  const w = new NpyStreamWriter(path, dtype, shape.slice(1), shape.length === 0 ? 1 : shape[0], shape.length === 0);
  w.append(data);
  w.close();
}
