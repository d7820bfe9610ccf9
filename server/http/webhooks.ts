import express, { Router } from 'express';
import { openAccount } from '../accounts/secrets.js';
import type { MandrillSettings } from '../accounts/schema.js';
import { classifySmtpReply } from '../bounces/index.js';
import { AppError, notFound } from '../errors.js';
import {
  ingestWebhookEvents,
  mandrillSignature,
  parseWebhookEvents,
  signatureMatches,
} from '../mandrill/webhook.js';
import { parseWebhookForm } from '../mandrill/webhook-form.js';
import type { Services } from '../services.js';
import { idParam } from './params.js';

/**
 * Mandrill's webhooks, outside /api: Mandrill authenticates with the
 * signature, not with a session. 1,000 events exceed express's default
 * 100 kB form limit, hence 20 MB. The form is read as bytes and decoded by
 * `parseWebhookForm`, which is faster than express's urlencoded parser and
 * leaves the values as the bytes the signature covers.
 */
export function webhookRoutes(services: Services): Router {
  const router = Router();
  const form = express.raw({ type: 'application/x-www-form-urlencoded', limit: '20mb' });

  // Mandrill checks the URL with a HEAD request before it shows the webhook's key.
  router.head('/mandrill/:account', (_req, res) => {
    res.status(200).end();
  });

  router.post('/mandrill/:account', form, (req, res) => {
    const id = idParam(req.params.account, 'account');
    const account = services.store.accounts.get(id);
    if (!account || account.method !== 'mandrill') throw notFound('account', id);
    const settings = openAccount(services.keyring, account).settings as MandrillSettings & {
      webhookKey?: string;
    };
    if (!settings.webhookKey) {
      throw new AppError(404, 'not_found', `Account ${id} has no Mandrill webhook key configured`);
    }
    // The URL as registered with Mandrill, not as received behind a proxy.
    const url = `${services.publicUrl}/webhooks/mandrill/${id}`;
    const fields = parseWebhookForm(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    const expected = mandrillSignature(settings.webhookKey, url, fields);
    if (!signatureMatches(expected, req.get('x-mandrill-signature'))) {
      throw new AppError(
        401,
        'invalid_signature',
        'X-Mandrill-Signature does not match this webhook',
      );
    }
    const events = parseWebhookEvents(fields);
    const now = services.now();
    const counts = services.store.durableTransaction(() =>
      ingestWebhookEvents(services.store, account, events, { now, classify: classifySmtpReply }),
    );
    services.logger.info(
      { module: 'mandrill-webhook', accountId: id, ...counts },
      'webhook batch recorded',
    );
    res.json(counts);
  });

  return router;
}
