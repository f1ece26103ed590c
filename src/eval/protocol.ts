/**
 * The evaluation protocols by name, so every reported accuracy says how it was measured:
 *   linear-crops  the official linear protocol (CMD/AimCLR code): a fresh random crop, scale
 *                 U[0.5, 1), of every training sequence each epoch through the frozen encoder,
 *                 features used as they come (no standardisation);
 *   linear-fixed  features of centre crops computed once, standardised per feature (the engine's
 *                 fast protocol; standardisation rescues tiny encoders whose features are small);
 *   knn           1-NN by cosine and k-NN with weighted votes on L2-normalised features, centre
 *                 crops keeping 95 % of the frames for the training memory and the test queries.
 * Linear accuracies come in two readings: `best` of the test evaluations (every 5 epochs, as the
 * papers report) and `last` (the classifier after its final epoch, which no test set chose).
 */
import { UserError } from '../util/errors.js';

export const LINEAR_PROTOCOLS = ['crops', 'fixed'] as const;
export type LinearProtocolName = (typeof LINEAR_PROTOCOLS)[number];

export interface LinearProtocol { name: LinearProtocolName; standardize: boolean }

/** The protocol with its standardisation default: off for the official crops, on for fixed features. */
export function linearProtocol(name: unknown = 'crops', standardize?: boolean): LinearProtocol {
  if (!(LINEAR_PROTOCOLS as readonly unknown[]).includes(name)) throw new UserError(`--protocol ${String(name)}: expected crops (the official) or fixed`);
  const n = name as LinearProtocolName;
  return { name: n, standardize: standardize ?? n === 'fixed' };
}

/** "linear-crops" / "linear-fixed+std": the label results carry. */
export function protocolLabel(p: LinearProtocol): string {
  const official = p.name === 'crops' && !p.standardize;
  return `linear-${p.name}${p.standardize ? '+std' : ''}${official ? ' (official)' : ''}`;
}

export const KNN_PROTOCOL = 'knn (centre crop 0.95, train and test)';
