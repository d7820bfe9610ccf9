import { Router } from 'express';
import { z } from 'zod';
import { accountFor } from '../accounts/service.js';
import { rejectsView, requireMandrill, senderDomainsView } from '../mandrill/sender-view.js';
import { mandrillSyncStatus, type MandrillSyncStatus } from '../mandrill/sync-status.js';
import type { Services } from '../services.js';
import { parseInput } from '../validation.js';
import { principalOf } from './auth.js';
import { idParam } from './params.js';

const rejectsQuery = z.strictObject({
  email: z.email('must be one email address, such as guest@example.com').optional(),
  includeExpired: z.enum(['true', 'false'], 'must be true or false').optional(),
});

/** Mandrill's own view of a Mandrill account: its sending domains and its denylist. */
export function mandrillRoutes(services: Services): Router {
  const router = Router();
  const deps = { store: services.store, api: services.mandrill, keyring: services.keyring };

  router.get('/:id/mandrill/sender-domains', async (req, res) => {
    const account = accountFor(services.store, principalOf(res), idParam(req.params.id), 'read');
    res.json(await senderDomainsView(deps, account));
  });

  router.get('/:id/mandrill/status', (req, res) => {
    const account = accountFor(services.store, principalOf(res), idParam(req.params.id), 'read');
    requireMandrill(account);
    const status = mandrillSyncStatus(services.store, account.id);
    const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
    res.json({
      ...status,
      method: account.method,
      syncedUntil: iso(status?.syncedUntil),
      lastRunAt: iso(status?.lastRunAt),
      keyRejectedAt: iso(status?.keyRejectedAt),
      warningAt: iso(status?.warningAt),
      message: statusMessage(status),
    });
  });

  router.get('/:id/mandrill/rejects', async (req, res) => {
    const account = accountFor(services.store, principalOf(res), idParam(req.params.id), 'read');
    const query = parseInput(rejectsQuery, req.query, 'rejects query');
    res.json(
      await rejectsView(deps, account, {
        email: query.email,
        includeExpired: query.includeExpired === 'true',
      }),
    );
  });

  return router;
}

/** Describes the poller's state of the account in one sentence for the dashboard. */
function statusMessage(status: MandrillSyncStatus | null): string {
  switch (status?.state) {
    case 'key_rejected':
      return 'Mandrill rejected the API key (Invalid_Key), so polling stopped: enter a valid key in the account settings to resume.';
    case 'failing':
      return `The last ${status.failedRuns} polls failed (${status.lastError ?? 'unknown error'}); the next run retries.`;
    case 'never_synced':
      return 'Not polled yet.';
    default:
      return status?.warning ?? 'Polling works.';
  }
}
