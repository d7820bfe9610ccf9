import { Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Services } from '../services.js';
import { recordTrackedClick, recordTrackedOpen } from '../tracking/service.js';

// The smallest transparent GIF, 1x1 pixel.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * Serves the public tracking endpoints that tracked mail links to: the open pixel and the click
 * redirect. They take no credentials (mail clients have none); the HMAC in each token is
 * what proves a URL was made by this server.
 */
export function trackingRoutes(services: Services): Router {
  const router = Router();
  router.use(
    rateLimit({ windowMs: 60_000, limit: 600, standardHeaders: 'draft-7', legacyHeaders: false }),
  );
  const hit = (req: {
    params: { token?: string };
    get(name: string): string | undefined;
    ip?: string;
    method: string;
  }) => ({
    token: req.params.token ?? '',
    userAgent: req.get('user-agent'),
    ip: req.ip,
    method: req.method,
    now: services.now(),
  });

  router.get('/o/:token.gif', (req, res) => {
    recordTrackedOpen(services.store, services.keyring, hit(req));
    // The image is the same for a token that is not ours, so it reveals nothing.
    res.set({ 'content-type': 'image/gif', 'cache-control': 'no-store, private' });
    res.send(PIXEL);
  });

  router.get('/c/:token', (req, res) => {
    const url = typeof req.query.u === 'string' ? req.query.u : '';
    const signature = typeof req.query.s === 'string' ? req.query.s : '';
    const target = recordTrackedClick(services.store, services.keyring, {
      ...hit(req),
      url,
      signature,
    });
    if (!target) {
      services.logger.warn(
        { module: 'tracking', token: req.params.token },
        'tracking link not found: unknown token or a changed URL',
      );
      res.status(404).type('text/plain').send('This link is not valid.');
      return;
    }
    res.set('cache-control', 'no-store, private');
    res.redirect(302, target);
  });
  return router;
}
