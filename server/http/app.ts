import express, { type Express, type RequestHandler } from 'express';
import type { Services } from '../services.js';
import { accountRoutes } from './accounts.js';
import { analyzeRoutes } from './analyze.js';
import { authMiddleware, crossSiteGuard } from './auth.js';
import { bounceRoutes } from './bounces.js';
import { domainRoutes } from './domains.js';
import { mailboxRoutes } from './mailbox.js';
import { mandrillRoutes } from './mandrill.js';
import { errorHandler, notFoundRoute } from './errors.js';
import { reportRoutes } from './reports.js';
import { sendRoutes } from './sends.js';
import { sessionRoutes } from './session.js';
import { staticRoutes } from './static.js';
import { suppressionRoutes } from './suppressions.js';
import { userRoutes } from './users.js';
import { trackingRoutes } from './tracking.js';
import { webhookRoutes } from './webhooks.js';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
};

/** Builds the express app: the JSON API under /api and the dashboard at /. */
export function createApp(services: Services): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use('/api', express.json({ limit: '2mb' }));
  // Authentication and the cross-site check run before every API route.
  app.use('/api', authMiddleware(services));
  app.use('/api', crossSiteGuard);
  app.use('/api', sessionRoutes(services));
  app.use('/api', userRoutes(services));
  app.use('/api/accounts', accountRoutes(services));
  app.use('/api/accounts', suppressionRoutes(services));
  app.use('/api/accounts', mandrillRoutes(services));
  app.use('/api/accounts', mailboxRoutes(services));
  app.use('/api/domains', domainRoutes(services));
  app.use('/api/reports', reportRoutes(services));
  app.use('/api', analyzeRoutes(services));
  app.use('/api', sendRoutes(services));
  app.use('/api', bounceRoutes(services));
  app.use('/api', notFoundRoute);
  app.use('/webhooks', webhookRoutes(services));
  app.use('/t', trackingRoutes(services));
  app.use(staticRoutes());
  app.use((req, res) => {
    res
      .status(404)
      .type('text/plain')
      .send(`Nothing is at ${req.path}. The dashboard is at /, and the API under /api.\n`);
  });
  app.use(errorHandler(services.logger));
  return app;
}
