/**
 * Learning-rate schedules as functions of the (possibly fractional) epoch, counted from 0.
 */
export type Schedule = (epoch: number) => number;

/** PyTorch MultiStepLR: base·γ^(number of milestones ≤ epoch). */
export function stepSchedule(baseLr: number, milestones: readonly number[], gamma = 0.1): Schedule {
  const ms = [...milestones].sort((a, b) => a - b);
  return (epoch) => baseLr * gamma ** ms.filter((m) => epoch >= m).length;
}

export interface CosineOptions { warmupEpochs?: number; minLr?: number }

/**
 * Cosine annealing from baseLr to minLr over `totalEpochs`, after an optional linear warm-up:
 * lr = base·(e + 1)/w for e < w (so no epoch trains at lr 0 and epoch w − 1 reaches base), then
 * lr = min + (base − min)·(1 + cos(π·t))/2 with t = (e − w)/(total − w), held at min past the end.
 */
export function cosineSchedule(baseLr: number, totalEpochs: number, opts: CosineOptions = {}): Schedule {
  const w = opts.warmupEpochs ?? 0, minLr = opts.minLr ?? 0;
  if (!(totalEpochs > w)) throw new Error(`cosineSchedule: total epochs ${totalEpochs} must exceed the warm-up ${w}`);
  return (epoch) => {
    if (epoch < w) return baseLr * Math.min(1, (epoch + 1) / w);
    const t = Math.min(1, (epoch - w) / (totalEpochs - w));
    return minLr + (baseLr - minLr) * (1 + Math.cos(Math.PI * t)) / 2;
  };
}
