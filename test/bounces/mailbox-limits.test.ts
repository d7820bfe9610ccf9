import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import type { AccountRecord } from '../../db/types.js';
import { readMailbox, type MailboxDeps } from '../../server/bounces/mailbox.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { parseAllowList, resolveImapDestination } from '../../server/sending/destination.js';
import { dsnMessage } from '../support/bounce-messages.js';
import { startImapServer, type ImapServer } from '../support/imap-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** Creates a logger that keeps its JSON lines, to check what the reader logs. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger('debug', destination), lines };
}

describe('mailbox reader limits', () => {
  let imap: ImapServer;
  let server: TestServer;

  before(async () => {
    // Fails the whole suite with the reason when dovecot is missing or does not start.
    imap = await startImapServer();
    server = await startTestServer({});
  });

  after(async () => {
    await server?.close();
    await imap?.close();
  });

  function deps(overrides: Partial<MailboxDeps> = {}): MailboxDeps {
    const { services } = server;
    return {
      store: services.store,
      keyring: services.keyring,
      platform: services.sending.platform,
      now: Date.now,
      logger: capturingLogger().logger,
      tls: { ca: fs.readFileSync(imap.certificate.certFile) },
      checkDestination: (host, port) =>
        resolveImapDestination(host, port, {
          // An IP literal is checked without DNS, so this resolver is never called.
          resolver: () => Promise.reject(new Error('no DNS in this test')),
          allow: parseAllowList('127.0.0.1'),
        }),
      ...overrides,
    };
  }

  async function createAccount(folder: string, password = imap.password): Promise<AccountRecord> {
    const response = await server.request('POST', '/api/accounts', {
      name: 'Cap Test',
      sendingAddress: 'desk@caps.example',
      method: 'smtp',
      settings: {
        host: '127.0.0.1',
        port: 587,
        security: 'starttls',
        mailbox: { host: '127.0.0.1', port: imap.tlsPort, user: imap.user, folder },
        mailboxPassword: password,
      },
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const account = server.services.store.accounts.get(response.body.account.id);
    assert.ok(account);
    return account;
  }

  function bounceFor(recipient: string): string {
    return dsnMessage({ to: 'desk@caps.example', recipient });
  }

  it('stops at the cap per run', async () => {
    const account = await createAccount('Capped');
    for (const name of ['a', 'b', 'c']) imap.deliver('Capped', bounceFor(`${name}@guests.example`));

    const first = await readMailbox(deps({ maxMessages: 2 }), account);
    assert.equal(first.error, undefined);
    assert.equal(first.read, 2);
    assert.equal(first.more, true);
    assert.equal(server.services.store.mailboxCursors.get(account.id)?.lastUid, 2);

    const second = await readMailbox(deps({ maxMessages: 2 }), account);
    assert.equal(second.read, 1);
    assert.equal(second.more, false);
    assert.equal(server.services.store.mailboxCursors.get(account.id)?.lastUid, 3);
  });

  it('skips a message over the size limit', async () => {
    const account = await createAccount('Large');
    const large = bounceFor('large@guests.example') + `${'x'.repeat(4000)}\r\n`;
    imap.deliver('Large', large);
    imap.deliver('Large', bounceFor('small@guests.example'));

    const result = await readMailbox(deps({ maxMessageBytes: 3000 }), account);

    assert.equal(result.skipped, 1);
    assert.equal(result.read, 1);
    const cursor = server.services.store.mailboxCursors.get(account.id);
    assert.equal(cursor?.lastUid, 2);
    assert.match(cursor?.lastError ?? '', /Skipped the message with UID 1 in "Large"/);
    assert.match(cursor?.lastError ?? '', /over the limit of 3000 bytes/);
    const status = await server.request('GET', `/api/accounts/${account.id}/mailbox/status`);
    assert.equal(status.body.state, 'ok');
  });

  it('logs a repeated error once', async () => {
    const wrong = 'wrong-password-31';
    const account = await createAccount('INBOX', wrong);
    const { logger, lines } = capturingLogger();

    const first = await readMailbox(deps({ logger }), account);
    const second = await readMailbox(deps({ logger }), account);

    assert.match(first.error ?? '', /rejected the login/);
    assert.equal(second.error, first.error);
    const warnings = lines.filter((line) => line.level === 40);
    assert.equal(warnings.length, 1, JSON.stringify(lines));
    assert.equal(warnings[0]?.accountId, account.id);
    assert.equal(JSON.stringify(lines).includes(wrong), false, 'a log line has the password');
  });

  it('keeps the progress of a failed run', async () => {
    const account = await createAccount('Interrupted');
    for (const name of ['d', 'e', 'f']) {
      imap.deliver('Interrupted', bounceFor(`${name}@guests.example`));
    }
    // The second message fetch fails, as when the connection drops in the middle of a run.
    const failing = deps({
      createClient: (options) => {
        const client = new ImapFlow(options);
        const fetchOne = client.fetchOne.bind(client);
        let fetches = 0;
        client.fetchOne = (...args: Parameters<ImapFlow['fetchOne']>) => {
          fetches += 1;
          if (fetches === 2) return Promise.reject(new Error('connection lost'));
          return fetchOne(...args);
        };
        return client;
      },
    });

    const first = await readMailbox(failing, account);
    assert.match(first.error ?? '', /connection lost/);
    assert.equal(first.read, 1);
    const cursor = server.services.store.mailboxCursors.get(account.id);
    assert.equal(cursor?.lastUid, 1);
    assert.match(cursor?.lastError ?? '', /connection lost/);

    const second = await readMailbox(deps(), account);
    assert.equal(second.error, undefined);
    assert.equal(second.read, 2);
    assert.equal(second.created, 2);
    assert.equal(server.services.store.mailboxCursors.get(account.id)?.lastUid, 3);
  });

  it('validates the poll interval setting', () => {
    assert.equal(loadConfig({}).mailboxPollSeconds, 300);
    assert.equal(loadConfig({ DELIVERABILITY_MAILBOX_POLL_SECONDS: '60' }).mailboxPollSeconds, 60);
    for (const value of ['5', 'often', '1.5']) {
      assert.throws(
        () => loadConfig({ DELIVERABILITY_MAILBOX_POLL_SECONDS: value }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes(`DELIVERABILITY_MAILBOX_POLL_SECONDS="${value}"`) &&
          error.message.includes('from 30 to 86400'),
        `value ${value}`,
      );
    }
  });
});
