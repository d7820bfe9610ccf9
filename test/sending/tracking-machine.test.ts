import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machineReason } from '../../server/tracking/machine.js';

const READER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari';

describe('telling machine opens and clicks from readers', () => {
  it('takes a browser from an ordinary address for a reader', () => {
    assert.equal(machineReason('open', READER, '198.51.100.7', 'GET'), null);
    assert.equal(machineReason('click', READER, '::ffff:198.51.100.7', 'GET'), null);
  });

  it("marks Apple Mail Privacy Protection's proxy for opens, also as a mapped address", () => {
    assert.match(machineReason('open', READER, '17.58.1.2', 'GET') ?? '', /Privacy Protection/);
    assert.match(
      machineReason('open', READER, '::ffff:17.58.1.2', 'GET') ?? '',
      /Privacy Protection/,
    );
    // A click from Apple's range is a person following the link.
    assert.equal(machineReason('click', READER, '17.58.1.2', 'GET'), null);
  });

  it('marks scanners, bots, bare HTTP clients and HEAD requests', () => {
    for (const agent of [
      'Mozilla/5.0 (compatible; Barracuda Sentinel)',
      'Microsoft Office SafeLinks',
      'python-requests/2.31',
      'curl/8.4.0',
    ]) {
      assert.ok(machineReason('click', agent, '198.51.100.7', 'GET'), agent);
    }
    assert.match(machineReason('click', undefined, '198.51.100.7', 'GET') ?? '', /no user agent/);
    assert.match(machineReason('click', READER, '198.51.100.7', 'HEAD') ?? '', /HEAD request/);
  });
});
