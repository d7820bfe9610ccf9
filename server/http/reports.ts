import { Router } from 'express';
import { z } from 'zod';
import { methodSeries, methodSummary } from '../reports/summary.js';
import { accountScope } from '../access/principal.js';
import type { Services } from '../services.js';
import { principalOf } from './auth.js';
import { breakdowns } from '../reports/breakdowns.js';
import { toCsv } from '../reports/csv.js';
import { parseInput } from '../validation.js';

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

const ENTRY_COLUMNS = [
  'sent',
  'delivered',
  'bounced',
  'softBounced',
  'rejected',
  'deliveryRate',
  'bounceRate',
  'default',
  'smtp',
  'mandrill',
].map((key) => ({ key, header: key }));

/** The columns of each breakdown table's CSV. The columns named after methods count sends. */
const BREAKDOWN_COLUMNS = {
  recipientDomain: [{ key: 'key', header: 'recipientDomain' }, ...ENTRY_COLUMNS],
  account: [
    { key: 'key', header: 'accountId' },
    { key: 'name', header: 'account' },
    ...ENTRY_COLUMNS,
  ],
  reason: ['reason', 'count', 'hard', 'rejected', 'exampleRecipient', 'exampleDetail'].map(
    (key) => ({ key, header: key }),
  ),
};

const breakdownTable = z.strictObject({
  by: z.enum(
    ['recipientDomain', 'account', 'reason'],
    'must be recipientDomain, account or reason',
  ),
});

/** Lays the breakdown table `by` out as CSV rows. */
function breakdownRows(
  report: ReturnType<typeof breakdowns>,
  by: keyof typeof BREAKDOWN_COLUMNS,
): Record<string, unknown>[] {
  if (by === 'reason') {
    return report.reasons.map((reason) => ({
      ...reason,
      exampleRecipient: reason.examples[0]?.recipient ?? '',
      exampleDetail: reason.examples[0]?.detail ?? '',
    }));
  }
  const entries = by === 'account' ? report.byAccount : report.byRecipientDomain;
  return entries.map((entry) => ({ ...entry, default: 0, smtp: 0, mandrill: 0, ...entry.methods }));
}

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
  router.get('/breakdowns.csv', (req, res) => {
    const { by, ...period } = req.query;
    const table = parseInput(breakdownTable, { by }, 'breakdown CSV query').by;
    const report = breakdowns(
      services.store,
      period,
      services.now(),
      accountScope(principalOf(res)),
    );
    res.type('text/csv; charset=utf-8');
    res.attachment(`breakdown-${table}.csv`);
    res.send(toCsv(BREAKDOWN_COLUMNS[table], breakdownRows(report, table)));
  });
  router.get('/series', (req, res) => {
    res.json(
      methodSeries(services.store, req.query, services.now(), accountScope(principalOf(res))),
    );
  });
  return router;
}
