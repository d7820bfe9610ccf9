import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root: this file is compiled to `dist/server/paths.js`. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
