/** The tunable kernel families, in the order `train.js tune` runs them (docs/tuning.md: adding one). */
import type { TuneFamily } from './tuner.js';
import { matmulFamily } from './matmul.js';
import { topkFamily } from './topk.js';
import { contrastiveFamily } from './contrastive.js';
import { tconvFamily } from './tconv.js';
import { graphconvFamily } from './graphconv.js';

export const tuneFamilies: TuneFamily[] = [matmulFamily, topkFamily, contrastiveFamily, tconvFamily, graphconvFamily];
