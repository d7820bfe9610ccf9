import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  MandrillMessageInfo,
  MandrillReject,
  MandrillSenderDomain,
} from '../../server/mandrill/types.js';

/**
 * A loopback stand-in for the Mandrill API (1.3 paths, with or without
 * `.json`), answering in the documented shapes: `users/ping`,
 * `messages/send`, `messages/search`, `messages/info`, `senders/domains`
 * and `rejects/list`. Errors use
 * Mandrill's body `{ status: 'error', code, name, message }` with HTTP 500.
 *
 * It does not model: templates, scheduling, attachments, subaccount
 * accounting, rate limits, tags and the search query language (only `*`
 * and `subaccount:NAME` are understood). `rejects/list` without a
 * subaccount returns only the entries that belong to no subaccount (an
 * assumption, because the documentation leaves it open).
 */
export interface MandrillStandIn {
  url: string;
  /** Every message it has accepted or made up, by `_id`. */
  messages: Map<string, MandrillMessageInfo>;
  /** Keys of `messages/send` requests, in order: proves the client sent the account's key. */
  requests: { path: string; key: string | undefined }[];
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
  close(): Promise<void>;
}

export interface StandInOptions {
  apiKeys: string[];
  /** Recipients `messages/send` rejects, with Mandrill's reject_reason. */
  rejects?: Record<string, string>;
  now?: () => number;
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

function dayOf(ts: number): string {
  return new Date(ts * 1000).toISOString().slice(0, 10);
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

  const search = (
    apiKey: string,
    body: {
      query?: string;
      date_from?: string;
      date_to?: string;
      limit?: number;
    },
  ) => {
    const limit = body.limit ?? 100;
    if (limit > 1000) throw new ApiError(-2, 'ValidationError', 'limit must be at most 1000');
    const sub = body.query?.match(/^subaccount:(\S+)$/)?.[1];
    return [...messages.values()]
      .filter((m) => keyOf.get(m._id) === apiKey)
      .filter((m) => !body.date_from || dayOf(m.ts) >= body.date_from.slice(0, 10))
      .filter((m) => !body.date_to || dayOf(m.ts) <= body.date_to.slice(0, 10))
      .filter((m) => !sub || m.subaccount === sub)
      .sort((a, b) => b.ts - a.ts)
      .slice(0, limit);
  };

  const route = (path: string, body: Record<string, unknown>): unknown => {
    if (typeof body.key !== 'string' || !keys.has(body.key)) {
      throw new ApiError(-1, 'Invalid_Key', 'Invalid API key');
    }
    switch (path.replace(/\.json$/, '')) {
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

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/^\/api\/1\.3/, '');
      let status = 200;
      let payload: unknown;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
          string,
          unknown
        >;
        requests.push({ path, key: typeof body.key === 'string' ? body.key : undefined });
        payload = route(path, body);
      } catch (error) {
        status = 500;
        const apiError =
          error instanceof ApiError ? error : new ApiError(-1, 'GeneralError', String(error));
        payload = {
          status: 'error',
          code: apiError.code,
          name: apiError.errorName,
          message: apiError.message,
        };
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
    addMessage: store,
    addSenderDomain,
    addReject,
    update(id, patch) {
      const info = messages.get(id);
      if (!info) throw new Error(`stand-in has no message ${id}`);
      Object.assign(info, patch);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
