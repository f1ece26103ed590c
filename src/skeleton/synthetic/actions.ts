/**
 * The action library of the synthetic dataset: class index = position in this list. The
 * interactions sit among the first 20 so a smaller `classes` count still includes M = 2 samples.
 */
import type { Action } from './motion.js';
import { SINGLE_ACTIONS } from './actions-single.js';
import { PAIR_ACTIONS } from './actions-pair.js';

export const ACTIONS: readonly Action[] = [...SINGLE_ACTIONS.slice(0, 15), ...PAIR_ACTIONS, ...SINGLE_ACTIONS.slice(15)];
export const ACTION_NAMES: readonly string[] = ACTIONS.map((a) => a.name);
