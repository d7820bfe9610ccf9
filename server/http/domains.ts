import { Router } from 'express';
import { runDomainCheck } from '../domains/service.js';
import type { Services } from '../services.js';
import { checkLimiter } from './auth.js';

export function domainRoutes(services: Services): Router {
  const router = Router();
  router.get(
    '/:domain/check',
    checkLimiter(services.auth.domainChecksPerMinute),
    async (req, res) => {
      const check = await runDomainCheck(services.domainChecks, {
        ...req.query,
        domain: req.params.domain,
      });
      res.json(check);
    },
  );
  return router;
}
