/**
 * How long a lane's running sum may get in the register-sum kernels (kernels/tconv_wgrad.wgsl,
 * graphconv.wgsl `adj_reg`): each lane adds its terms one after another in f32, so its rounding
 * error grows with their number. Their batch slicing keeps every lane at ≤ LANE_TERMS terms —
 * about what the paper's shapes had with 32–64 lanes per workgroup, before software adapters
 * moved to 8 (a 1×1 weight gradient at 128 × 64 × 16 × 25 → 256 in one slice went from 4·10⁻⁷ to
 * 1.2·10⁻⁶ relative error without the cap).
 */
export const LANE_TERMS = 1024;

/** The most samples one slice may hold when a lane adds `termsPerSample` terms for each. */
export const maxSamplesPerSlice = (termsPerSample: number): number => Math.max(1, Math.floor(LANE_TERMS / Math.max(1, termsPerSample)));
