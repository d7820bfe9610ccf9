import { Router } from 'express';
import { methodSeries, methodSummary } from '../reports/summary.js';
import type { Services } from '../services.js';

export function reportRoutes(services: Services): Router {
  const router = Router();
  router.get('/summary', (req, res) => {
    res.json(methodSummary(services.store, req.query, services.now()));
  });
  router.get('/series', (req, res) => {
    res.json(methodSeries(services.store, req.query, services.now()));
  });
  return router;
}
