import { Router } from 'express';
import { methodSeries, methodSummary } from '../reports/summary.js';
import { accountScope } from '../access/principal.js';
import type { Services } from '../services.js';
import { principalOf } from './auth.js';
import { breakdowns } from '../reports/breakdowns.js';
import { toCsv } from '../reports/csv.js';

const SUMMARY_COLUMNS = [
  'method',
  'sent',
  'delivered',
  'bounced',
  'softBounced',
  'rejected',
  'failed',
  'opened',
  'clicked',
  'complained',
  'unsubscribed',
  'openRateBase',
  'clickRateBase',
  'deliveryRate',
  'bounceRate',
  'openRate',
  'clickRate',
  'complaintRate',
  'unsubscribeRate',
].map((key) => ({ key, header: key }));

export function reportRoutes(services: Services): Router {
  const router = Router();
  router.get('/summary', (req, res) => {
    res.json(
      methodSummary(services.store, req.query, services.now(), accountScope(principalOf(res))),
    );
  });
  router.get('/summary.csv', (req, res) => {
    const report = methodSummary(
      services.store,
      req.query,
      services.now(),
      accountScope(principalOf(res)),
    );
    res.type('text/csv; charset=utf-8');
    res.attachment('summary.csv');
    res.send(toCsv(SUMMARY_COLUMNS, report.methods as unknown as Record<string, unknown>[]));
  });
  router.get('/breakdowns', (req, res) => {
    res.json(breakdowns(services.store, req.query, services.now(), accountScope(principalOf(res))));
  });
  router.get('/series', (req, res) => {
    res.json(
      methodSeries(services.store, req.query, services.now(), accountScope(principalOf(res))),
    );
  });
  return router;
}
