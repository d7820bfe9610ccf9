import { Router } from 'express';
import { z } from 'zod';
import type { SendRecord } from '../../db/types.js';
import { accountScope } from '../access/principal.js';
import { accountFor } from '../accounts/service.js';
import { notFound } from '../errors.js';
import { sendForAccount } from '../sending/service.js';
import type { Services } from '../services.js';
import { toCsv } from '../reports/csv.js';
import { csvQuery, logQuery, toSearch } from '../sending/log-query.js';
import { parseInput } from '../validation.js';
import { principalOf } from './auth.js';
import { idParam } from './params.js';

const SEND_COLUMNS = [
  { key: 'id', header: 'id' },
  { key: 'createdAt', header: 'created_at' },
  { key: 'accountName', header: 'account' },
  { key: 'method', header: 'method' },
  { key: 'recipient', header: 'recipient' },
  { key: 'subject', header: 'subject' },
  { key: 'state', header: 'state' },
  { key: 'reason', header: 'reason' },
  { key: 'statusCode', header: 'status' },
  { key: 'detail', header: 'detail' },
  { key: 'opens', header: 'opens' },
  { key: 'clicks', header: 'clicks' },
  { key: 'messageId', header: 'message_id' },
];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function publicSend(send: SendRecord & { accountName?: string }) {
  return { ...send, createdAt: iso(send.createdAt), updatedAt: iso(send.updatedAt) };
}

export function sendRoutes(services: Services): Router {
  const router = Router();
  const { store } = services;

  router.post('/accounts/:id/sends', async (req, res) => {
    const id = idParam(req.params.id);
    accountFor(store, principalOf(res), id, 'send');
    const result = await sendForAccount(services.sending, id, req.body);
    res.status(201).json({ messageId: result.messageId, sends: result.sends.map(publicSend) });
  });

  router.get('/sends', (req, res) => {
    const principal = principalOf(res);
    const query = parseInput(logQuery, req.query, 'sends query');
    if (query.accountId !== undefined) accountFor(store, principal, query.accountId, 'read');
    const sends = store.sends.search({ ...toSearch(query), scope: accountScope(principal) });
    const last = sends.at(-1);
    // A full page may have more after it, so `next` names the page that follows.
    const next = last && sends.length === query.limit ? `${last.createdAt}.${last.id}` : null;
    res.json({ sends: sends.map(publicSend), next });
  });

  router.get('/sends.csv', (req, res) => {
    const principal = principalOf(res);
    const query = parseInput(csvQuery, req.query, 'sends query');
    if (query.accountId !== undefined) accountFor(store, principal, query.accountId, 'read');
    const sends = store.sends.search({ ...toSearch(query), scope: accountScope(principal) });
    res.type('text/csv; charset=utf-8');
    res.attachment('sends.csv');
    res.send(toCsv(SEND_COLUMNS, sends.map(publicSend)));
  });

  router.get('/sends/:id', (req, res) => {
    const id = idParam(req.params.id);
    const send = store.sends.get(id);
    const scope = accountScope(principalOf(res));
    // A send of an account the caller may not see does not exist for them.
    if (!send || (scope !== undefined && !scope.includes(send.accountId)))
      throw notFound('send', id);
    const events = store.events.listForSend(id).map((event) => ({
      ...event,
      occurredAt: iso(event.occurredAt),
      recordedAt: iso(event.recordedAt),
    }));
    res.json({ send: publicSend(send), events });
  });

  return router;
}
