import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMandrillApi, MandrillApiError } from '../../server/mandrill/client.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';

const KEY = 'md-client-key-424242';

describe('Mandrill client wrapper', () => {
  let standIn: MandrillStandIn;

  before(async () => {
    standIn = await startMandrillStandIn({ apiKeys: [KEY] });
  });

  after(async () => {
    await standIn?.close();
  });

  it('info returns a known message', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    const stored = standIn.addMessage({ email: 'guest@guests.example', subject: 'Hi' });
    const info = await api.info(KEY, stored._id);
    assert.equal(info._id, stored._id);
    assert.equal(info.email, 'guest@guests.example');
    assert.equal(info.state, 'sent');
  });

  it('info throws Unknown_Message for an unknown id', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    await assert.rejects(api.info(KEY, 'ffff'), (error: unknown) => {
      assert.ok(error instanceof MandrillApiError);
      assert.equal(error.errorName, 'Unknown_Message');
      assert.equal(error.status, 500);
      return true;
    });
  });

  it('invalid key error does not carry the key', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    await assert.rejects(api.ping('md-secret-wrong-key'), (error: unknown) => {
      assert.ok(error instanceof MandrillApiError);
      assert.equal(error.errorName, 'Invalid_Key');
      assert.doesNotMatch(JSON.stringify({ ...error, message: error.message }), /md-secret/);
      return true;
    });
  });

  it('search rejects a limit over 1000', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    await assert.rejects(
      api.search(KEY, { query: '*', date_from: '2026-01-01', date_to: '2026-01-02', limit: 1001 }),
      (error: unknown) =>
        error instanceof MandrillApiError && error.errorName === 'ValidationError',
    );
  });

  it('body that is not JSON is InvalidResponse', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    standIn.faults.add('/messages/search', [standIn.faults.count('/messages/search') + 1], {
      kind: 'bad-json',
    });
    await assert.rejects(
      api.search(KEY, { query: '*', date_from: '2026-01-01', date_to: '2026-01-02', limit: 10 }),
      (error: unknown) => {
        assert.ok(error instanceof MandrillApiError);
        assert.equal(error.errorName, 'InvalidResponse');
        assert.match(error.message, /messages\/search/);
        return true;
      },
    );
  });

  it('429 keeps its status and name', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    standIn.faults.add('/messages/info', [standIn.faults.count('/messages/info') + 1], {
      kind: 'rate-limit',
    });
    await assert.rejects(api.info(KEY, 'ffff'), (error: unknown) => {
      assert.ok(error instanceof MandrillApiError);
      assert.equal(error.status, 429);
      assert.equal(error.errorName, 'Too_Many_Requests');
      return true;
    });
  });

  it('stall past the timeout is a NetworkError', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url, timeoutMs: 200 });
    standIn.faults.add('/users/ping', [standIn.faults.count('/users/ping') + 1], {
      kind: 'stall',
      ms: 2_000,
    });
    await assert.rejects(api.ping(KEY), (error: unknown) => {
      assert.ok(error instanceof MandrillApiError);
      assert.equal(error.errorName, 'NetworkError');
      assert.match(error.message, /timed out after 0\.2 s/);
      return true;
    });
  });

  it('dropped connection is a NetworkError', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    standIn.faults.add('/users/ping', [standIn.faults.count('/users/ping') + 1], { kind: 'drop' });
    await assert.rejects(
      api.ping(KEY),
      (error: unknown) => error instanceof MandrillApiError && error.errorName === 'NetworkError',
    );
  });

  it('search filters to the second', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    const at = Date.parse('2026-03-04T10:20:30Z') / 1000;
    const inside = standIn.addMessage({ email: 'in@guests.example', ts: at });
    standIn.addMessage({ email: 'before@guests.example', ts: at - 1 });
    standIn.addMessage({ email: 'after@guests.example', ts: at + 1 });
    const found = await api.search(KEY, {
      query: '*',
      date_from: '2026-03-04 10:20:30',
      date_to: '2026-03-04 10:20:30',
      limit: 1000,
    });
    assert.deepEqual(
      found.map((m) => m._id),
      [inside._id],
    );
    const wholeDay = await api.search(KEY, {
      query: '*',
      date_from: '2026-03-04',
      date_to: '2026-03-04',
      limit: 1000,
    });
    assert.equal(wholeDay.length, 3);
    await assert.rejects(
      api.search(KEY, { query: '*', date_from: '04/03/2026', date_to: '2026-03-04', limit: 10 }),
      (error: unknown) =>
        error instanceof MandrillApiError && error.errorName === 'ValidationError',
    );
  });

  it('unreachable API is a NetworkError', async () => {
    const closed = await startMandrillStandIn({ apiKeys: [KEY] });
    const url = closed.url;
    await closed.close();
    const api = createMandrillApi({ baseUrl: url });
    await assert.rejects(api.ping(KEY), (error: unknown) => {
      assert.ok(error instanceof MandrillApiError);
      assert.equal(error.errorName, 'NetworkError');
      assert.match(error.message, /ECONNREFUSED/);
      return true;
    });
  });
});

describe('Mandrill sender domains and denylist', () => {
  let standIn: MandrillStandIn;
  const OTHER = 'md-other-account-key-9999';

  before(async () => {
    standIn = await startMandrillStandIn({ apiKeys: [KEY, OTHER] });
  });

  after(async () => {
    await standIn?.close();
  });

  it('sendersDomains returns the documented shape', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    standIn.addSenderDomain({
      domain: 'harbor-rentals.example',
      created_at: '2026-11-02 09:15:00',
      last_tested_at: '2026-12-01 08:00:00',
      spf: { valid: true, valid_after: '2026-11-02 09:20:00', error: null },
      dkim: { valid: false, valid_after: null, error: 'DKIM record not found' },
      verified_at: '2026-11-02 10:00:00',
      valid_signing: false,
    });
    standIn.addSenderDomain({ domain: 'other-owner.example' }, OTHER);
    const domains = await api.sendersDomains(KEY);
    assert.deepEqual(domains, [
      {
        domain: 'harbor-rentals.example',
        created_at: '2026-11-02 09:15:00',
        last_tested_at: '2026-12-01 08:00:00',
        spf: { valid: true, valid_after: '2026-11-02 09:20:00', error: null },
        dkim: { valid: false, valid_after: null, error: 'DKIM record not found' },
        verified_at: '2026-11-02 10:00:00',
        valid_signing: false,
      },
    ]);
    const sentKeys = standIn.requests.filter((r) => r.path === '/senders/domains');
    assert.deepEqual(
      sentKeys.map((r) => r.key),
      [KEY],
    );
  });

  it('sendersDomains is empty for a new account', async () => {
    const fresh = await startMandrillStandIn({ apiKeys: [KEY] });
    try {
      const api = createMandrillApi({ baseUrl: fresh.url });
      assert.deepEqual(await api.sendersDomains(KEY), []);
    } finally {
      await fresh.close();
    }
  });

  it('sendersDomains throws Invalid_Key', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    await assert.rejects(
      api.sendersDomains('md-not-a-key'),
      (error: unknown) => error instanceof MandrillApiError && error.errorName === 'Invalid_Key',
    );
  });

  it('rejectsList filters by email, expiry and subaccount', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    standIn.addReject({
      email: 'gone@guests.example',
      reason: 'hard-bounce',
      detail: '550 5.1.1 No such user',
      created_at: '2026-11-20 12:00:00',
      last_event_at: '2026-11-20 12:00:00',
      expires_at: '2027-11-20 12:00:00',
      sender: {
        address: 'office@harbor-rentals.example',
        created_at: '2026-01-01 00:00:00',
        sent: 120,
        hard_bounces: 1,
      },
    });
    standIn.addReject({
      email: 'old@guests.example',
      reason: 'soft-bounce',
      detail: '452 4.2.2 Mailbox full',
      expires_at: '2026-11-21 12:00:00',
      expired: true,
    });
    standIn.addReject({ email: 'sub@guests.example', reason: 'spam', subaccount: 'cabins' });

    const current = await api.rejectsList(KEY);
    assert.deepEqual(
      current.map((r) => r.email),
      ['gone@guests.example'],
    );
    assert.deepEqual(current[0], {
      email: 'gone@guests.example',
      reason: 'hard-bounce',
      detail: '550 5.1.1 No such user',
      created_at: '2026-11-20 12:00:00',
      last_event_at: '2026-11-20 12:00:00',
      expires_at: '2027-11-20 12:00:00',
      expired: false,
      sender: {
        address: 'office@harbor-rentals.example',
        created_at: '2026-01-01 00:00:00',
        sent: 120,
        hard_bounces: 1,
      },
      subaccount: null,
    });

    const withExpired = await api.rejectsList(KEY, { include_expired: true });
    assert.deepEqual(
      withExpired.map((r) => r.email),
      ['gone@guests.example', 'old@guests.example'],
    );
    const byEmail = await api.rejectsList(KEY, { email: 'GONE@guests.example' });
    assert.deepEqual(
      byEmail.map((r) => r.email),
      ['gone@guests.example'],
    );
    const sub = await api.rejectsList(KEY, { subaccount: 'cabins' });
    assert.deepEqual(
      sub.map((r) => [r.email, r.reason, r.subaccount]),
      [['sub@guests.example', 'spam', 'cabins']],
    );
    assert.deepEqual(await api.rejectsList(OTHER), []);
  });

  it('send rejects a denylisted address', async () => {
    const api = createMandrillApi({ baseUrl: standIn.url });
    standIn.addReject({ email: 'complained@guests.example', reason: 'spam' });
    const [result] = await api.send(KEY, {
      from_email: 'office@harbor-rentals.example',
      to: [{ email: 'complained@guests.example' }],
      subject: 'Hello',
      text: 'Hello',
    });
    assert.equal(result?.status, 'rejected');
    assert.equal(result?.reject_reason, 'spam');
  });
});
