import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { generateKeySpec } from '../../server/secrets/index.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { makeTempDir, startTestServer } from '../support/server.js';

const API_KEY = 'md-rotation-key-000042';

describe('secret key rotation', () => {
  let mandrill: MandrillStandIn;

  before(async () => {
    mandrill = await startMandrillStandIn({ apiKeys: [API_KEY] });
  });

  after(async () => {
    await mandrill?.close();
  });

  it('restart with a new first key re-encrypts every secret', async () => {
    const database = path.join(makeTempDir(), 'rotation.sqlite');
    const oldKey = generateKeySpec('old');
    const newKey = generateKeySpec('new');
    const env = {
      DELIVERABILITY_DATABASE: database,
      DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
    };
    const storedKey = () => {
      const db = new Database(database, { readonly: true });
      const row = db.prepare('SELECT settings FROM accounts').get() as { settings: string };
      db.close();
      return JSON.parse(row.settings).apiKey as string;
    };

    const first = await startTestServer({ ...env, DELIVERABILITY_SECRET_KEYS: oldKey });
    const created = await first.request('POST', '/api/accounts', {
      name: 'Rotating',
      sendingAddress: 'desk@rotate.example',
      method: 'mandrill',
      settings: { apiKey: API_KEY },
    });
    await first.close();
    assert.match(storedKey(), /^enc:v1:old:/);

    const second = await startTestServer({
      ...env,
      DELIVERABILITY_SECRET_KEYS: `${newKey},${oldKey}`,
    });
    try {
      assert.match(storedKey(), /^enc:v1:new:/);
      const account = await second.request('GET', `/api/accounts/${created.body.account.id}`);
      assert.equal(account.body.account.settings.apiKey, '****0042');
      const sent = await second.request('POST', `/api/accounts/${created.body.account.id}/sends`, {
        to: 'guest@guests.example',
        subject: 'x',
        text: 'x',
        kind: 'manual',
      });
      assert.equal(sent.body.sends[0].state, 'accepted', sent.body.sends[0].detail);
    } finally {
      await second.close();
    }

    const wrong = startTestServer({ ...env, DELIVERABILITY_SECRET_KEYS: generateKeySpec('other') });
    await assert.rejects(wrong, /not in the keyring|cannot be decrypted/);
  });
});
