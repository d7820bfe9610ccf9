import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ImapFlow } from 'imapflow';
import { autoReplyMessage, dsnMessage } from '../support/bounce-messages.js';
import { startImapServer, type ImapServer } from '../support/imap-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

const SENDER = 'desk@lakeside.example';

/** A message from a guest, which the reader must neither store nor touch. */
const GUEST_QUESTION = [
  'From: Guest <guest@guests.example>',
  `To: ${SENDER}`,
  'Subject: Late check-in?',
  'Message-ID: <question-1@guests.example>',
  'Date: Fri, 04 Dec 2026 09:00:00 +0000',
  '',
  'Can we arrive after ten in the evening?',
  '',
].join('\r\n');

interface FolderMessage {
  uid: number;
  /** The stored flags; \Recent belongs to one session and is left out. */
  flags: string[];
}

describe('mailbox reader over IMAP', () => {
  let imap: ImapServer;
  let managerSmtp: SmtpPeer;
  let server: TestServer;
  let accountId: number;

  before(async () => {
    // Fails the whole suite with the reason when dovecot is missing or does not start.
    imap = await startImapServer();
    managerSmtp = await startSmtpPeer({ tls: imap.certificate });
    server = await startTestServer({ DELIVERABILITY_SMTP_CA_FILE: imap.certificate.certFile });
    accountId = await createAccount({ folder: 'Bounces' });
  });

  after(async () => {
    await server?.close();
    await managerSmtp?.close();
    await imap?.close();
  });

  async function createAccount(
    mailbox: Record<string, unknown>,
    mailboxPassword = imap.password,
  ): Promise<number> {
    const response = await server.request(
      'POST',
      '/api/accounts',
      accountBody(mailbox, mailboxPassword),
    );
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.account.id as number;
  }

  function accountBody(mailbox: Record<string, unknown>, mailboxPassword?: string) {
    return {
      name: 'Lakeside',
      sendingAddress: SENDER,
      method: 'smtp',
      settings: {
        host: '127.0.0.1',
        port: managerSmtp.port,
        security: 'starttls',
        mailbox: {
          host: '127.0.0.1',
          port: imap.tlsPort,
          security: 'tls',
          user: imap.user,
          ...mailbox,
        },
        ...(mailboxPassword === undefined ? {} : { mailboxPassword }),
      },
    };
  }

  async function send(to: string, from = accountId) {
    const response = await server.request('POST', `/api/accounts/${from}/sends`, {
      to: [to],
      subject: 'Booking confirmation',
      text: 'See you Friday.',
      kind: 'manual',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body as { messageId: string; sends: { id: number }[] };
  }

  async function sendDetail(id: number) {
    const response = await server.request('GET', `/api/sends/${id}`);
    return response.body as { send: { state: string }; events: unknown[] };
  }

  async function status(id: number) {
    const response = await server.request('GET', `/api/accounts/${id}/mailbox/status`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  }

  async function bouncesOf(id: number) {
    const response = await server.request('GET', `/api/bounces?accountId=${id}&limit=100`);
    return response.body.bounces as { source: string; kind: string; subject: string | null }[];
  }

  async function withClient<T>(fn: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imap.tlsPort,
      secure: true,
      tls: { ca: fs.readFileSync(imap.certificate.certFile) },
      auth: { user: imap.user, pass: imap.password },
      logger: false,
    });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.logout();
    }
  }

  /** Reads a folder's messages and flags as another IMAP client sees them. */
  function folderMessages(folder: string): Promise<FolderMessage[]> {
    return withClient(async (client) => {
      const opened = await client.mailboxOpen(folder, { readOnly: true });
      const messages: FolderMessage[] = [];
      if (opened.exists === 0) return messages;
      for await (const message of client.fetch('1:*', { uid: true, flags: true }, { uid: true })) {
        const flags = [...(message.flags ?? [])].filter((flag) => flag !== '\\Recent').sort();
        messages.push({ uid: message.uid, flags });
      }
      return messages;
    });
  }

  it('reads a bounce and leaves the other mail as it was', async () => {
    const sent = await send('gone@guests.example');
    imap.deliver('Bounces', GUEST_QUESTION, ['\\Seen']);
    imap.deliver(
      'Bounces',
      dsnMessage({
        to: SENDER,
        recipient: 'gone@guests.example',
        originalMessageId: sent.messageId,
      }),
    );
    imap.deliver('Bounces', autoReplyMessage('owner@guests.example', SENDER));
    const before = await folderMessages('Bounces');
    assert.equal(before.length, 3);

    await server.runJobsOnce();

    const detail = await sendDetail(sent.sends[0]?.id ?? 0);
    assert.equal(detail.send.state, 'bounced');
    const bounces = await bouncesOf(accountId);
    const bounce = bounces.find((b) => b.kind === 'bounce');
    assert.equal(bounce?.source, 'imap');
    const autoReply = bounces.find((b) => b.kind === 'auto-reply');
    assert.equal(autoReply?.source, 'imap');
    assert.equal(
      bounces.some((b) => b.subject === 'Late check-in?'),
      false,
      'the guest question was stored as a bounce',
    );

    const afterRun = await folderMessages('Bounces');
    assert.deepEqual(afterRun, before);
    assert.deepEqual(afterRun[0]?.flags, ['\\Seen']);
    assert.deepEqual(afterRun[1]?.flags, [], 'the bounce was marked as read');

    const state = await status(accountId);
    assert.equal(state.state, 'ok', JSON.stringify(state));
    assert.equal(state.folder, 'Bounces');
    assert.equal(state.lastUid, afterRun[2]?.uid);
    assert.equal(state.messagesRead, 3);
    assert.equal(typeof state.uidValidity, 'number');
    assert.equal(state.lastError, null);
  });

  it('reads nothing twice on the next run', async () => {
    const before = await status(accountId);
    const bouncesBefore = await bouncesOf(accountId);

    await server.runJobsOnce();

    const afterRun = await status(accountId);
    assert.equal(afterRun.lastUid, before.lastUid);
    assert.equal(afterRun.messagesRead, before.messagesRead);
    assert.equal((await bouncesOf(accountId)).length, bouncesBefore.length);
  });

  it('reads a bounce that arrives later', async () => {
    const sent = await send('full@guests.example');
    imap.deliver(
      'Bounces',
      dsnMessage({
        to: SENDER,
        recipient: 'full@guests.example',
        status: '4.2.2',
        diagnostic: '452 4.2.2 Mailbox full',
        originalMessageId: sent.messageId,
      }),
    );
    const before = await status(accountId);

    await server.runJobsOnce();

    const detail = await sendDetail(sent.sends[0]?.id ?? 0);
    assert.equal(detail.send.state, 'soft_bounced');
    const afterRun = await status(accountId);
    assert.equal(afterRun.lastUid, before.lastUid + 1);
    assert.equal(afterRun.messagesRead, before.messagesRead + 1);
  });

  it('reads the same folder over STARTTLS', async () => {
    const id = await createAccount({
      port: imap.starttlsPort,
      security: 'starttls',
      folder: 'Bounces',
    });
    const folder = await folderMessages('Bounces');

    await server.runJobsOnce();

    const state = await status(id);
    assert.equal(state.state, 'ok', JSON.stringify(state));
    assert.equal(state.lastUid, folder.at(-1)?.uid);
  });

  it('records a rejected login without the password', async () => {
    const wrong = 'wrong-password-77';
    const id = await createAccount({ folder: 'INBOX' }, wrong);

    await server.runJobsOnce();

    const state = await status(id);
    assert.equal(state.state, 'failing', JSON.stringify(state));
    assert.match(state.lastError, /rejected the login of "manager"/);
    assert.match(state.lastError, /settings\.mailboxPassword/);
    assert.equal(JSON.stringify(state).includes(wrong), false, 'the status shows the password');
    assert.equal(state.lastUid, 0);
    const session = await server.request('GET', '/api/session');
    assert.equal(session.status, 200, 'the server stopped answering');
  });

  it('names a folder that does not exist', async () => {
    const id = await createAccount({ folder: 'Bounced' });

    await server.runJobsOnce();

    const state = await status(id);
    assert.equal(state.state, 'failing', JSON.stringify(state));
    assert.match(state.lastError, /The folder "Bounced" could not be opened/);
    assert.match(state.lastError, /settings\.mailbox\.folder/);
    assert.match(state.lastError, /Bounces/);
  });

  it('records a refused connection', async () => {
    // Nothing listens on port 1 of the loopback address.
    const id = await createAccount({ port: 1, security: 'starttls', folder: 'INBOX' });

    await server.runJobsOnce();

    const state = await status(id);
    assert.equal(state.state, 'failing', JSON.stringify(state));
    assert.match(
      state.lastError,
      /Connecting to the IMAP server 127\.0\.0\.1:1 failed \(ECONNREFUSED\)/,
    );
  });

  it('reads a recreated folder again without counting twice', async () => {
    const id = await createAccount({ folder: 'Recreated' });
    const sent = await send('moved@guests.example', id);
    const bounce = dsnMessage({
      to: SENDER,
      recipient: 'moved@guests.example',
      originalMessageId: sent.messageId,
    });
    imap.deliver('Recreated', bounce);
    await server.runJobsOnce();
    const first = await status(id);
    assert.equal(first.lastUid, 1);
    const bounced = await sendDetail(sent.sends[0]?.id ?? 0);
    assert.equal(bounced.send.state, 'bounced');

    // Deleting and creating a folder gives it a new UIDVALIDITY, and its UIDs start at 1 again.
    await withClient(async (client) => {
      await client.mailboxDelete('Recreated');
      await client.mailboxCreate('Recreated');
    });
    imap.deliver('Recreated', bounce);
    imap.deliver('Recreated', GUEST_QUESTION);
    await server.runJobsOnce();

    const second = await status(id);
    assert.notEqual(second.uidValidity, first.uidValidity);
    assert.equal(second.lastUid, 2);
    assert.equal(second.messagesRead, first.messagesRead + 2);
    const detail = await sendDetail(sent.sends[0]?.id ?? 0);
    assert.equal(
      detail.events.length,
      bounced.events.length,
      'the bounce read again counted twice',
    );
    assert.equal(detail.send.state, 'bounced');
  });

  it('masks the mailbox password and stores it encrypted', async () => {
    const response = await server.request('GET', `/api/accounts/${accountId}`);
    assert.equal(response.body.account.settings.mailboxPassword, '****');
    assert.equal(response.body.account.settings.mailbox.user, imap.user);

    const db = new Database(server.databasePath, { readonly: true });
    try {
      const row = db.prepare('SELECT settings FROM accounts WHERE id = ?').get(accountId) as {
        settings: string;
      };
      const stored = JSON.parse(row.settings) as Record<string, unknown>;
      assert.match(String(stored.mailboxPassword), /^enc:v1:/);
      assert.equal(row.settings.includes(imap.password), false, 'the password is in plain text');
    } finally {
      db.close();
    }
  });

  it('keeps the mailbox password when other settings change', async () => {
    const response = await server.request('PATCH', `/api/accounts/${accountId}`, {
      settings: {
        mailbox: { host: '127.0.0.1', port: imap.tlsPort, user: imap.user, folder: 'Bounces' },
      },
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.account.settings.mailboxPassword, '****');
    assert.equal(response.body.account.settings.mailbox.security, 'tls');
  });

  it('removes the mailbox password with the mailbox', async () => {
    const id = await createAccount({ folder: 'INBOX' });
    const response = await server.request('PATCH', `/api/accounts/${id}`, {
      settings: { mailbox: null },
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.account.settings.mailbox, undefined);
    assert.equal(response.body.account.settings.mailboxPassword, undefined);
    assert.equal((await status(id)).state, 'not_configured');
  });

  it('rejects invalid mailbox settings naming the field', async () => {
    const cases: { mailbox: Record<string, unknown>; expected: RegExp }[] = [
      { mailbox: { port: 'imaps' }, expected: /settings\.mailbox\.port: .*\(got "imaps"\)/ },
      { mailbox: { security: 'ssl' }, expected: /settings\.mailbox\.security: .*\(got "ssl"\)/ },
      { mailbox: { host: 'not a host' }, expected: /settings\.mailbox\.host: .*"not a host"/ },
      { mailbox: { folder: '' }, expected: /settings\.mailbox\.folder/ },
      { mailbox: { user: '' }, expected: /settings\.mailbox\.user: is required/ },
    ];
    for (const { mailbox, expected } of cases) {
      const response = await server.request('POST', '/api/accounts', accountBody(mailbox, 'x'));
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.match(response.body.error.message, expected);
    }
    const noPassword = await server.request('POST', '/api/accounts', accountBody({}));
    assert.equal(noPassword.status, 400, JSON.stringify(noPassword.body));
    assert.match(noPassword.body.error.message, /settings\.mailboxPassword: is required/);
  });

  it('refuses a private IMAP host', async () => {
    const response = await server.request(
      'POST',
      '/api/accounts',
      accountBody({ host: '10.0.0.5', port: 993 }, imap.password),
    );
    assert.equal(response.status, 422, JSON.stringify(response.body));
    assert.equal(response.body.error.code, 'imap_destination_refused');
    assert.match(response.body.error.message, /The IMAP host 10\.0\.0\.5 is a private address/);
  });
});
