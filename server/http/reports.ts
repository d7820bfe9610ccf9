import { Router } from 'express';
import { methodSeries, methodSummary } from '../reports/summary.js';
import { accountScope } from '../access/principal.js';
import type { Services } from '../services.js';
import { principalOf } from './auth.js';

export function reportRoutes(services: Services): Router {
  const router = Router();
  router.get('/summary', (req, res) => {
    res.json(
      methodSummary(services.store, req.query, services.now(), accountScope(principalOf(res))),
    );
  });
  router.get('/series', (req, res) => {
    res.json(
      methodSeries(services.store, req.query, services.now(), accountScope(principalOf(res))),
    );
  });
  return router;
}
