import express, { Router, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { analyzeMessage, MAX_MESSAGE_BYTES } from '../analysis/analyze.js';
import { domainName } from '../domains/service.js';
import { AppError } from '../errors.js';
import type { Services } from '../services.js';
import { parseInput } from '../validation.js';
import { authStateOf } from './auth.js';
import { errorBody } from './errors.js';

/** The raw body types the route reads as the message itself. */
const RAW_TYPES = ['message/rfc822', 'text/plain'];

// The client IP itself is checked by analyzeMessage, which names the value in its error.
const optionsSchema = {
  ip: z.string().trim().min(1).max(64).optional(),
  helo: domainName.optional(),
  sender: z.email('must be an email address such as bounce@example.com').optional(),
};

const querySchema = z.object(optionsSchema);

const jsonSchema = z.object({
  message: z.string().min(1, 'must be the whole raw message, headers included'),
  ...optionsSchema,
});

const tooLarge = new AppError(
  413,
  'message_too_large',
  `The message is larger than the limit of ${MAX_MESSAGE_BYTES} bytes (25 MiB)`,
  { limit: MAX_MESSAGE_BYTES },
);

const parseRaw = express.raw({ type: RAW_TYPES, limit: MAX_MESSAGE_BYTES });

/** Reads a raw message body up to MAX_MESSAGE_BYTES, and names that limit when it is exceeded. */
const rawMessage: RequestHandler = (req, res, next) => {
  parseRaw(req, res, (error?: unknown) => {
    if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
      next(tooLarge);
      return;
    }
    next(error);
  });
};

/** Analyses per caller in one minute: each one sends DNS queries for every signature and record. */
function analysisLimiter(limit: number): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req, res) => {
      const principal = authStateOf(res)?.principal;
      if (!principal) return `ip:${ipKeyGenerator(req.ip ?? '')}`;
      return principal.kind === 'user' ? `user:${principal.userId}` : `token:${principal.tokenId}`;
    },
    handler: (_req, res) => {
      const error = new AppError(
        429,
        'rate_limited',
        'Too many message analyses; wait a minute and try again',
      );
      res.status(429).json(errorBody(error));
    },
  });
}

interface AnalyzeRequest {
  raw: Buffer;
  ip?: string;
  helo?: string;
  sender?: string;
}

function readRequest(body: unknown, query: unknown): AnalyzeRequest {
  const options = parseInput(querySchema, query, 'analysis query');
  if (Buffer.isBuffer(body)) return { raw: body, ...options };
  if (body !== undefined && body !== null && typeof body === 'object') {
    const request = parseInput(jsonSchema, body, 'analysis request');
    return {
      raw: Buffer.from(request.message, 'utf8'),
      ip: request.ip ?? options.ip,
      helo: request.helo ?? options.helo,
      sender: request.sender ?? options.sender,
    };
  }
  throw new AppError(
    400,
    'invalid_input',
    'Send the message as the request body with Content-Type: message/rfc822 or text/plain, or as JSON {"message": "..."} with Content-Type: application/json',
  );
}

/** POST /api/analyze: any signed-in caller analyzes one raw message. */
export function analyzeRoutes(services: Services): Router {
  const router = Router();
  router.post(
    '/analyze',
    analysisLimiter(services.auth.domainChecksPerMinute),
    rawMessage,
    async (req, res) => {
      const request = readRequest(req.body, req.query);
      const analysis = await analyzeMessage(request.raw, {
        resolver: services.domainChecks.createResolver(),
        platform: services.domainChecks.platform,
        ...(request.ip ? { ip: request.ip } : {}),
        ...(request.helo ? { helo: request.helo } : {}),
        ...(request.sender ? { sender: request.sender } : {}),
      });
      res.json(analysis);
    },
  );
  return router;
}
