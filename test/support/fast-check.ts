import fc from 'fast-check';

/**
 * In CI every run uses one seed, so a submission passes or fails on its own
 * code; elsewhere each run draws new inputs. fast-check prints the seed of
 * a failure, and `FC_SEED=<seed>` replays it.
 */
const seed = process.env.FC_SEED ?? (process.env.CI ? '20261204' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });

export { fc };
