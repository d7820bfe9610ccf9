import { Router } from 'express';
import { z } from 'zod';
import type { SendRecord } from '../../db/types.js';
import { notFound } from '../errors.js';
import { sendForAccount } from '../sending/service.js';
import type { Services } from '../services.js';
import { parseInput } from '../validation.js';
import { idParam } from './params.js';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  accountId: z.coerce.number().int().min(1).optional(),
});

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
    const result = await sendForAccount(services.sending, idParam(req.params.id), req.body);
    res.status(201).json({ messageId: result.messageId, sends: result.sends.map(publicSend) });
  });

  router.get('/sends', (req, res) => {
    const query = parseInput(listQuery, req.query, 'sends query');
    if (query.accountId !== undefined && !store.accounts.get(query.accountId)) {
      throw notFound('account', query.accountId);
    }
    res.json({ sends: store.sends.listRecent(query).map(publicSend) });
  });

  router.get('/sends/:id', (req, res) => {
    const id = idParam(req.params.id);
    const send = store.sends.get(id);
    if (!send) throw notFound('send', id);
    const events = store.events.listForSend(id).map((event) => ({
      ...event,
      occurredAt: iso(event.occurredAt),
      recordedAt: iso(event.recordedAt),
    }));
    res.json({ send: publicSend(send), events });
  });

  return router;
}
