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
