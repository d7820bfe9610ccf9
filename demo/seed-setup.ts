import { setupFirstAdmin } from '../server/auth/users.js';
import type { RunningServer } from '../server/main.js';
import type { MandrillStandIn } from '../test/support/mandrill-standin.js';
import { DEMO_ACCOUNTS, DEMO_USERS, SMTP_LOGIN, type DemoAccount } from './accounts.js';
import { createApi, login, type DemoApi } from './api.js';

export interface SeededAccounts {
  admin: DemoApi;
  /** The platform integration's API token, for every account. */
  integration: DemoApi;
  /** The account id of each demo account, by its key. */
  ids: Map<string, number>;
}

function settingsOf(account: DemoAccount, managerPort: number): Record<string, unknown> {
  switch (account.method) {
    case 'default':
      return {};
    case 'smtp':
      // The manager's server is the loopback stand-in, reached by its IP address, which
      // DELIVERABILITY_SMTP_ALLOW exempts from the public-address rule.
      return { host: '127.0.0.1', port: managerPort, security: 'starttls', ...SMTP_LOGIN };
    case 'mandrill':
      return {
        apiKey: account.mandrillKey,
        ...(account.webhookKey ? { webhookKey: account.webhookKey } : {}),
      };
  }
}

/**
 * Creates the first admin with the server's set-up function, then over the API the accounts,
 * a manager of the Harbor Rentals accounts, a support user and an API token for the sends.
 * Mandrill's own view of each Mandrill account (sender domains, denylist) goes on the stand-in.
 */
export async function seedAccounts(
  server: RunningServer,
  managerPort: number,
  mandrill: MandrillStandIn,
): Promise<SeededAccounts> {
  const { store, now } = server.services;
  await setupFirstAdmin(store, DEMO_USERS.admin, now());
  const admin = await login(server.url, DEMO_USERS.admin.email, DEMO_USERS.admin.password);

  const ids = new Map<string, number>();
  for (const account of DEMO_ACCOUNTS) {
    const created = await admin.json('POST', '/api/accounts', {
      name: account.name,
      sendingAddress: account.sendingAddress,
      method: account.method,
      settings: settingsOf(account, managerPort),
    });
    ids.set(account.key, created.account.id as number);
  }
  const managed = DEMO_ACCOUNTS.filter((a) => a.managed).map((a) => ids.get(a.key) as number);
  await admin.json('POST', '/api/users', {
    ...DEMO_USERS.manager,
    role: 'manager',
    accountIds: managed,
  });
  await admin.json('POST', '/api/users', { ...DEMO_USERS.support, role: 'support' });
  const token = await admin.json('POST', '/api/tokens', {
    name: 'Platform CRM integration',
    accountIds: [...ids.values()],
  });

  mandrill.addSenderDomain(
    {
      domain: 'lakeside-stays.example',
      last_tested_at: '2026-11-30 08:00:00',
      spf: { valid: true, valid_after: '2026-10-01 08:00:00', error: null },
      dkim: { valid: true, valid_after: '2026-10-01 08:00:00', error: null },
      verified_at: '2026-10-01 08:05:00',
      valid_signing: true,
    },
    mandrillKeyOf('lakeside'),
  );
  mandrill.addSenderDomain(
    {
      domain: 'harbor-rentals.example',
      last_tested_at: '2026-11-30 08:00:00',
      spf: {
        valid: false,
        valid_after: null,
        error: 'SPF record does not include spf.mandrillapp.com',
      },
      dkim: { valid: false, valid_after: null, error: 'No DKIM record found at mte1._domainkey' },
    },
    mandrillKeyOf('harbor-mandrill'),
  );
  mandrill.addReject(
    {
      email: 'old.guest@yahoo.com',
      reason: 'hard-bounce',
      detail: '554 5.1.1 mailbox unavailable',
    },
    mandrillKeyOf('lakeside'),
  );
  mandrill.addReject({ email: 'not.me@gmail.com', reason: 'spam' }, mandrillKeyOf('lakeside'));

  return { admin, integration: createApi(server.url, { bearer: token.token as string }), ids };
}

function mandrillKeyOf(key: string): string {
  const account = DEMO_ACCOUNTS.find((a) => a.key === key);
  if (!account?.mandrillKey) throw new Error(`demo account ${key} has no Mandrill key`);
  return account.mandrillKey;
}
