/** Where ../shared/data is (relative to the project root), or undefined on a user's clone. */
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = join(projectRoot, '..', 'shared', 'data');
export const sharedData: string | undefined = existsSync(dir) ? dir : undefined;
