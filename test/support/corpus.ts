import path from 'node:path';
import { repoRoot } from '../../server/paths.js';

/** The shared corpus of real bounces, DMARC reports and DNS records, kept beside the repository. */
export const corpusDir =
  process.env.DELIVERABILITY_CORPUS_DIR ?? path.join(repoRoot, '..', 'shared', 'corpus');
