import { createRequire } from 'node:module';
import path from 'node:path';
import express, { Router } from 'express';
import { repoRoot } from '../paths.js';

const require = createRequire(import.meta.url);

/** The dashboard: the HTML and CSS from client/, the compiled modules and Chart.js. */
export function staticRoutes(): Router {
  const router = Router();
  const clientDir = path.join(repoRoot, 'client');
  // chart.js's exports map hides its UMD build, so serve the folder of its entry point.
  const chartDir = path.dirname(require.resolve('chart.js'));
  const adapterDir = path.dirname(require.resolve('chartjs-adapter-date-fns'));
  const options = { index: false, fallthrough: false, maxAge: '1h' } as const;

  router.get('/', (_req, res) => res.sendFile(path.join(clientDir, 'index.html')));
  router.get('/styles.css', (_req, res) => res.sendFile(path.join(clientDir, 'styles.css')));
  router.use('/app', express.static(path.join(repoRoot, 'dist', 'client'), options));
  router.get('/vendor/chart.umd.min.js', (_req, res) =>
    res.sendFile(path.join(chartDir, 'chart.umd.min.js')),
  );
  router.get('/vendor/chartjs-adapter-date-fns.bundle.min.js', (_req, res) =>
    res.sendFile(path.join(adapterDir, 'chartjs-adapter-date-fns.bundle.min.js')),
  );
  return router;
}
