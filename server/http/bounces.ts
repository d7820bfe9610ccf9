import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { BounceRecord } from '../../db/types.js';
import { accountScope } from '../access/principal.js';
import { accountFor } from '../accounts/service.js';
import { ingestBounce } from '../bounces/ingest.js';
import { toCsv } from '../reports/csv.js';
import { AppError, notFound } from '../errors.js';
import type { Services } from '../services.js';
import { parseInput, queryId, queryInteger } from '../validation.js';
import { principalOf } from './auth.js';
import { idParam } from './params.js';

/** Bounce messages over this size are refused; real ones are a few kilobytes to a megabyte. */
export const MAX_BOUNCE_BYTES = 10 * 1024 * 1024;
const RAW_TYPES = ['message/rfc822', 'message/global', 'text/plain', 'application/octet-stream'];

const postQuery = z.strictObject({
  accountId: queryId().optional(),
});
const listQuery = z.strictObject({
  limit: queryInteger(1, 500).default(50),
  unmatched: z.enum(['true', 'false'], 'must be true or false').optional(),
  accountId: queryId().optional(),
});

const csvQuery = listQuery.extend({ limit: queryInteger(1, 10_000).default(1_000) });

/** The CSV of the bounces list: one row per recipient, as the dashboard's table shows them. */
const CSV_COLUMNS = [
  'bounceId',
  'receivedAt',
  'kind',
  'source',
  'accountId',
  'recipient',
  'reason',
  'hardBounce',
  'status',
  'replyCode',
  'diagnostic',
  'sendId',
  'matchedBy',
].map((key) => ({ key, header: key }));

function csvRows(bounces: BounceRecord[]): Record<string, unknown>[] {
  return bounces.flatMap((bounce) => {
    const common = {
      bounceId: bounce.id,
      receivedAt: new Date(bounce.receivedAt).toISOString(),
      kind: bounce.kind,
      source: bounce.source,
      accountId: bounce.accountId,
    };
    if (bounce.recipients.length === 0) return [common];
    return bounce.recipients.map((recipient) => ({
      ...common,
      ...recipient,
      recipient: recipient.address,
      hardBounce: recipient.hardBounce ? 'true' : 'false',
    }));
  });
}

export function publicBounce(bounce: BounceRecord) {
  return { ...bounce, receivedAt: new Date(bounce.receivedAt).toISOString() };
}

/** Raw bounce messages in, classified and matched to sends; the stored ones out. */
export function bounceRoutes(services: Services): Router {
  const router = Router();
  const { store } = services;
  const deps = {
    store,
    keyring: services.keyring,
    platform: services.sending.platform,
    now: services.now,
  };

  router.post(
    '/bounces',
    express.raw({ type: RAW_TYPES, limit: MAX_BOUNCE_BYTES }),
    async (req, res) => {
      const principal = principalOf(res);
      // A bounce changes sends: support staff read accounts but change none.
      if (principal.kind === 'user' && principal.role === 'support') {
        throw new AppError(
          403,
          'forbidden',
          "Your role may read bounces but not record them: ask an admin, or the account's manager.",
        );
      }
      const query = parseInput(postQuery, req.query, 'bounce query');
      if (query.accountId !== undefined) accountFor(store, principal, query.accountId, 'send');
      if (!Buffer.isBuffer(req.body)) {
        throw new AppError(
          415,
          'unsupported_media_type',
          `Send the raw message as the body with Content-Type ${RAW_TYPES[0]} (got ${req.get('content-type') ?? 'none'}).`,
        );
      }
      const result = await ingestBounce(deps, {
        raw: req.body,
        source: 'api',
        accountId: query.accountId ?? null,
        scope: accountScope(principal),
      });
      const scope = accountScope(principal);
      const visible =
        scope === undefined ||
        (result.bounce.accountId !== null && scope.includes(result.bounce.accountId));
      // The same message stored earlier for another account is not shown to this caller.
      res.status(result.created ? 201 : 200).json({
        bounce: result.created || visible ? publicBounce(result.bounce) : null,
        created: result.created,
        events: result.events,
      });
    },
  );

  /** Lists the bounces the query selects, within what the caller may see. */
  const listFor = (
    req: Request,
    res: Response,
    schema: typeof listQuery | typeof csvQuery,
  ): BounceRecord[] => {
    const principal = principalOf(res);
    const query = parseInput(schema, req.query, 'bounces query');
    const scope = accountScope(principal);
    if (query.accountId !== undefined) accountFor(store, principal, query.accountId, 'read');
    return store.bounces.list({
      limit: query.limit,
      scope: query.accountId !== undefined ? [query.accountId] : scope,
      unmatchedOnly: query.unmatched === 'true',
    });
  };

  router.get('/bounces', (req, res) => {
    res.json({ bounces: listFor(req, res, listQuery).map(publicBounce) });
  });

  router.get('/bounces.csv', (req, res) => {
    const bounces = listFor(req, res, csvQuery);
    res.type('text/csv; charset=utf-8');
    res.attachment('bounces.csv');
    res.send(toCsv(CSV_COLUMNS, csvRows(bounces)));
  });

  router.get('/bounces/:id', (req, res) => {
    const id = idParam(req.params.id);
    const bounce = store.bounces.get(id);
    const scope = accountScope(principalOf(res));
    // A bounce of no account may name any account's recipients: only unlimited callers see it.
    const visible =
      bounce !== null &&
      (scope === undefined || (bounce.accountId !== null && scope.includes(bounce.accountId)));
    if (!bounce || !visible) throw notFound('bounce', id);
    const raw = store.bounces.raw(id) ?? Buffer.alloc(0);
    res.json({
      bounce: publicBounce(bounce),
      raw: raw.toString('utf8'),
      rawTruncated: raw.length < bounce.size,
    });
  });

  return router;
}
