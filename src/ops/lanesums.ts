/**
 * How long a lane's running sum may get in the register-sum kernels (kernels/tconv/wgrad.wgsl,
 * kernels/graphconv/aggregate.wgsl `adj_reg`): each lane adds its terms one after another in f32,
 * so its rounding error grows with their number. Their batch slicing keeps every lane at
 * ≤ LANE_TERMS terms — about what the paper's shapes give 32–64 lanes per workgroup, so the 8
 * lanes of software adapters lose no precision to them (docs/bench.md#lane-sums).
 */
export const LANE_TERMS = 1024;

/** The most samples one slice may hold when a lane adds `termsPerSample` terms for each. */
export const maxSamplesPerSlice = (termsPerSample: number): number => Math.max(1, Math.floor(LANE_TERMS / Math.max(1, termsPerSample)));
