import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyFault, FaultPlan } from './mandrill-faults.js';
import { parseSearchDate } from './mandrill-search.js';
import type {
  MandrillMessageInfo,
  MandrillReject,
  MandrillSenderDomain,
} from '../../server/mandrill/types.js';

/**
 * A loopback stand-in for the Mandrill API (1.3 paths, with or without
 * `.json`), answering in the documented shapes: `users/ping`,
 * `messages/send`, `messages/search`, `messages/info`, `senders/domains`
 * and `rejects/list`. Errors use Mandrill's body
 * `{ status: 'error', code, name, message }` with HTTP 500: `Invalid_Key`,
 * `ValidationError`, `Unknown_Message`. Each key is one Mandrill account.
 *
 * `messages/search` returns at most `limit` (default 100, over 1000 is a
 * ValidationError) messages, newest first, with no paging, filtered by
 * `date_from` and `date_to` (see mandrill-search.ts for the formats) or the
 * last 7 days without them. It allows `searchesPerMinute` (default 20, the
 * documented rate) per key in any 60 seconds of its clock, and returns
 * HTTP 429 past that. `faults` injects failures by request number per path.
 *
 * It does not model: templates, scheduling, attachments, subaccount
 * accounting, tags, the `senders` and `api_keys` search filters, the search
 * query language (only `*` and `subaccount:NAME` are understood), the order
 * of messages sent in the same second, indexing delay, rate limits of other
 * methods, or the time after which Mandrill deletes a message. `rejects/list`
 * without a subaccount returns only the entries that belong to no subaccount
 * (an assumption, because the documentation leaves it open).
 */
export interface MandrillStandIn {
  url: string;
  /** Every message it has accepted or made up, by `_id`. */
  messages: Map<string, MandrillMessageInfo>;
  /** Every request in order, with the key it carried and the stand-in's clock when it arrived. */
  requests: { path: string; key: string | undefined; at: number; body: Record<string, unknown> }[];
  /** Failures to produce in place of responses, by path and request number. */
  faults: FaultPlan;
  /** Makes `apiKey` valid (a new account, or a replaced key). */
  addApiKey(apiKey: string): void;
  /** Makes `apiKey` invalid, as when it is revoked in Mandrill. */
  revokeApiKey(apiKey: string): void;
  /**
   * Adds a message sent through the same Mandrill account outside the
   * product, under `apiKey` (default: the first key).
   */
  addMessage(
    message: Partial<MandrillMessageInfo> & { email: string },
    apiKey?: string,
  ): MandrillMessageInfo;
  update(id: string, patch: Partial<MandrillMessageInfo>): void;
  /** Adds a sender domain that `senders/domains` lists for `apiKey` (default: the first key). */
  addSenderDomain(
    domain: Partial<MandrillSenderDomain> & { domain: string },
    apiKey?: string,
  ): MandrillSenderDomain;
  /**
   * Adds a denylist entry that `rejects/list` returns for `apiKey` (default:
   * the first key). `messages/send` then rejects the address with its reason
   * while the entry has not expired.
   */
  addReject(entry: Partial<MandrillReject> & { email: string }, apiKey?: string): MandrillReject;
  /** Counts the client connections open now, idle keep-alive ones included. */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

export interface StandInOptions {
  apiKeys: string[];
  /** Recipients `messages/send` rejects, with Mandrill's reject_reason. */
  rejects?: Record<string, string>;
  /** The stand-in's clock in Unix milliseconds: message times and the rate limit use it. */
  now?: () => number;
  /** Searches allowed per key in any 60 seconds; `Infinity` turns the limit off. */
  searchesPerMinute?: number;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

function newId(): string {
  return randomBytes(16).toString('hex');
}

/** Formats a time as Mandrill formats it in responses: `YYYY-MM-DD HH:MM:SS`, UTC. */
function mandrillTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

interface SendBody {
  message?: {
    from_email?: string;
    subject?: string;
    to?: { email: string }[];
    subaccount?: string;
    metadata?: Record<string, string>;
  };
}

export async function startMandrillStandIn(options: StandInOptions): Promise<MandrillStandIn> {
  const messages = new Map<string, MandrillMessageInfo>();
  const requests: MandrillStandIn['requests'] = [];
  const now = options.now ?? Date.now;
  const keys = new Set(options.apiKeys);
  // Each key is its own Mandrill account: search and info see only its messages.
  const keyOf = new Map<string, string>();
  const senderDomains = new Map<string, MandrillSenderDomain[]>();
  const denylist = new Map<string, MandrillReject[]>();
  const firstKey = options.apiKeys[0] ?? '';

  const addSenderDomain = (
    domain: Partial<MandrillSenderDomain> & { domain: string },
    apiKey = firstKey,
  ): MandrillSenderDomain => {
    const entry: MandrillSenderDomain = {
      created_at: mandrillTime(now()),
      last_tested_at: null,
      spf: { valid: false, valid_after: null, error: null },
      dkim: { valid: false, valid_after: null, error: null },
      verified_at: null,
      valid_signing: false,
      ...domain,
    };
    senderDomains.set(apiKey, [...(senderDomains.get(apiKey) ?? []), entry]);
    return entry;
  };

  const addReject = (
    entry: Partial<MandrillReject> & { email: string },
    apiKey = firstKey,
  ): MandrillReject => {
    const created = mandrillTime(now());
    const reject: MandrillReject = {
      reason: 'hard-bounce',
      detail: '',
      created_at: created,
      last_event_at: created,
      expires_at: null,
      expired: false,
      sender: null,
      subaccount: null,
      ...entry,
    };
    denylist.set(apiKey, [...(denylist.get(apiKey) ?? []), reject]);
    return reject;
  };

  const listRejects = (apiKey: string, body: Record<string, unknown>): MandrillReject[] => {
    if (body.email !== undefined && typeof body.email !== 'string') {
      throw new ApiError(
        -2,
        'ValidationError',
        'Validation error: {"email":"Please enter a string"}',
      );
    }
    if (body.include_expired !== undefined && typeof body.include_expired !== 'boolean') {
      throw new ApiError(
        -2,
        'ValidationError',
        'Validation error: {"include_expired":"Please enter a boolean"}',
      );
    }
    const email = typeof body.email === 'string' ? body.email.toLowerCase() : null;
    const subaccount = typeof body.subaccount === 'string' ? body.subaccount : null;
    return (denylist.get(apiKey) ?? [])
      .filter((entry) => !email || entry.email.toLowerCase() === email)
      .filter((entry) => body.include_expired === true || !entry.expired)
      .filter((entry) => (entry.subaccount ?? null) === subaccount)
      .slice(0, 1000);
  };

  const store = (
    message: Partial<MandrillMessageInfo> & { email: string },
    apiKey = firstKey,
  ): MandrillMessageInfo => {
    const info: MandrillMessageInfo = {
      ts: Math.floor(now() / 1000),
      _id: newId(),
      sender: 'sender@example.com',
      subject: '',
      state: 'sent',
      opens: 0,
      clicks: 0,
      opens_detail: [],
      clicks_detail: [],
      tags: [],
      ...message,
    };
    messages.set(info._id, info);
    keyOf.set(info._id, apiKey);
    return info;
  };

  const send = (body: SendBody, apiKey: string) => {
    const message = body.message;
    if (!message?.from_email || !message.to?.length) {
      throw new ApiError(
        -2,
        'ValidationError',
        'Validation error: {"message":{"to":"Please enter an array"}}',
      );
    }
    return message.to.map((recipient) => {
      const listed = listRejects(apiKey, {
        email: recipient.email,
        subaccount: message.subaccount,
      })[0];
      const rejectReason = options.rejects?.[recipient.email.toLowerCase()] ?? listed?.reason;
      const info = store(
        {
          email: recipient.email,
          sender: message.from_email as string,
          subject: message.subject ?? '',
          subaccount: message.subaccount ?? null,
          metadata: message.metadata,
          state: rejectReason ? 'rejected' : 'sent',
        },
        apiKey,
      );
      return rejectReason
        ? { email: recipient.email, status: 'rejected', reject_reason: rejectReason, _id: info._id }
        : { email: recipient.email, status: 'sent', reject_reason: null, _id: info._id };
    });
  };

  const searchesPerMinute = options.searchesPerMinute ?? 20;
  const searchTimes = new Map<string, number[]>();

  const bound = (name: string, value: unknown): { first: number; last: number } | null => {
    if (value === undefined || value === null) return null;
    const parsed = typeof value === 'string' ? parseSearchDate(value) : null;
    if (!parsed) {
      throw new ApiError(
        -2,
        'ValidationError',
        `Validation error: {"${name}":"Please enter a date as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS"}`,
      );
    }
    return parsed;
  };

  const search = (apiKey: string, body: Record<string, unknown>) => {
    const limit = body.limit ?? 100;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ApiError(-2, 'ValidationError', 'Validation error: {"limit":"must be 1 to 1000"}');
    }
    const from = bound('date_from', body.date_from);
    const to = bound('date_to', body.date_to);
    const nowSeconds = Math.floor(now() / 1000);
    const first = from?.first ?? (to ? -Infinity : nowSeconds - 7 * 86_400);
    const last = to?.last ?? Infinity;
    const query = typeof body.query === 'string' ? body.query : '*';
    const sub = query.match(/^subaccount:(\S+)$/)?.[1];
    return [...messages.values()]
      .filter((m) => keyOf.get(m._id) === apiKey)
      .filter((m) => m.ts >= first && m.ts <= last)
      .filter((m) => !sub || m.subaccount === sub)
      .sort((a, b) => b.ts - a.ts)
      .slice(0, limit);
  };

  /** Returns whether one more search with `apiKey` stays within the allowed rate. */
  const allowSearch = (apiKey: string): boolean => {
    const at = now();
    const recent = (searchTimes.get(apiKey) ?? []).filter((time) => time > at - 60_000);
    if (recent.length >= searchesPerMinute) {
      searchTimes.set(apiKey, recent);
      return false;
    }
    searchTimes.set(apiKey, [...recent, at]);
    return true;
  };

  const route = (path: string, body: Record<string, unknown>): unknown => {
    if (typeof body.key !== 'string' || !keys.has(body.key)) {
      throw new ApiError(-1, 'Invalid_Key', 'Invalid API key');
    }
    switch (path) {
      case '/users/ping':
        return 'PONG!';
      case '/messages/send':
        return send(body as SendBody, body.key);
      case '/messages/search':
        return search(body.key, body);
      case '/senders/domains':
        return senderDomains.get(body.key) ?? [];
      case '/rejects/list':
        return listRejects(body.key, body);
      case '/messages/info': {
        const info = messages.get(String(body.id));
        if (!info || keyOf.get(info._id) !== body.key)
          throw new ApiError(
            11,
            'Unknown_Message',
            `No message exists with the id '${String(body.id)}'`,
          );
        return info;
      }
      default:
        throw new ApiError(-1, 'GeneralError', `Unknown method ${path}`);
    }
  };

  const faults = new FaultPlan();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/^\/api\/1\.3/, '').replace(/\.json$/, '');
      const fault = faults.next(path);
      if (fault && fault.kind !== 'lost-answer') {
        applyFault(fault, req, res);
        return;
      }
      let status = 200;
      let payload: unknown;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
          string,
          unknown
        >;
        const key = typeof body.key === 'string' ? body.key : undefined;
        requests.push({ path, key, at: now(), body });
        if (path === '/messages/search' && key && keys.has(key) && !allowSearch(key)) {
          status = 429;
          throw new ApiError(-1, 'Too_Many_Requests', 'Too many requests, slow down');
        }
        payload = route(path, body);
      } catch (error) {
        if (status === 200) status = 500;
        const apiError =
          error instanceof ApiError ? error : new ApiError(-1, 'GeneralError', String(error));
        payload = {
          status: 'error',
          code: apiError.code,
          name: apiError.errorName,
          message: apiError.message,
        };
      }
      if (fault) {
        applyFault(fault, req, res);
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/1.3`,
    messages,
    requests,
    faults,
    addApiKey: (apiKey) => keys.add(apiKey),
    revokeApiKey: (apiKey) => keys.delete(apiKey),
    addMessage: store,
    addSenderDomain,
    addReject,
    update(id, patch) {
      const info = messages.get(id);
      if (!info) throw new Error(`stand-in has no message ${id}`);
      Object.assign(info, patch);
    },
    openConnections: () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Stalled requests would otherwise keep the server open until they end.
        server.closeAllConnections();
      }),
  };
}
