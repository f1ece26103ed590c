/**
 * The shape every reader produces and every consumer (augmentation, loader, evaluation) takes:
 * fixed-size (C=3, T, V, M) float32 samples in C order — the layout of the ST-GCN-family `.npy`
 * files — with the count of valid frames and a 0-based label.
 */
export interface Sample {
  data: Float32Array; // length 3·T·V·M, index ((c·T + t)·V + v)·M + m
  frames: number;     // valid frames (1..T); frames ≥ this are padding
  label: number;      // 0-based class, −1 when unlabelled
  name?: string;      // sample name (file stem) when known
}

export interface SkeletonDataset {
  readonly size: number;
  readonly T: number;
  readonly V: number;
  readonly M: number;
  readonly numClasses: number;
  readonly layout: string;      // a layout name of src/skeleton/layouts.ts: 'ntu25' | 'ucla20' | 'msr20' | …
  get(i: number): Sample;       // synchronous; large files are read by seeking, never whole
  labels(): Int32Array;         // all labels, in row order
}

/** A dataset held in memory (small real sets, the synthetic set, test fixtures). */
export class ArrayDataset implements SkeletonDataset {
  readonly size: number;
  constructor(
    readonly data: Float32Array, // (N, 3, T, V, M)
    readonly frameCounts: Int32Array,
    readonly labelArray: Int32Array,
    readonly T: number, readonly V: number, readonly M: number,
    readonly numClasses: number, readonly layout: string,
    readonly names?: string[],
  ) {
    this.size = labelArray.length;
    const per = 3 * T * V * M;
    if (data.length !== this.size * per) throw new Error(`ArrayDataset: data has ${data.length} floats, expected ${this.size}×${per}`);
    if (frameCounts.length !== this.size) throw new Error('ArrayDataset: frame counts and labels differ in length');
  }
  get(i: number): Sample {
    const per = 3 * this.T * this.V * this.M;
    return { data: this.data.subarray(i * per, (i + 1) * per), frames: this.frameCounts[i], label: this.labelArray[i], name: this.names?.[i] };
  }
  labels(): Int32Array { return this.labelArray; }
}

/** A view of some rows of another dataset (train/test splits, label-fraction subsets). */
export class SubsetDataset implements SkeletonDataset {
  readonly size: number; readonly T: number; readonly V: number; readonly M: number;
  readonly numClasses: number; readonly layout: string;
  constructor(readonly base: SkeletonDataset, readonly rows: Int32Array) {
    this.size = rows.length; this.T = base.T; this.V = base.V; this.M = base.M;
    this.numClasses = base.numClasses; this.layout = base.layout;
  }
  get(i: number): Sample { return this.base.get(this.rows[i]); }
  labels(): Int32Array { const all = this.base.labels(); return Int32Array.from(this.rows, (r) => all[r]); }
}
