import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it, test } from 'node:test';
import { AppError } from '../../server/errors.js';
import { mandrillSignature, parseWebhookEvents } from '../../server/mandrill/webhook.js';
import { formText, parseWebhookForm } from '../../server/mandrill/webhook-form.js';
import { fc } from '../support/fast-check.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const texts = (body: string) =>
  parseWebhookForm(bytes(body)).map((field) => [field.name, formText(field)]);

/** Asserts a 400 AppError whose message matches. */
function rejects(body: string | Uint8Array, message: RegExp): void {
  assert.throws(
    () => {
      const fields = parseWebhookForm(typeof body === 'string' ? bytes(body) : body);
      fields.forEach(formText);
    },
    (error: unknown) =>
      error instanceof AppError && error.status === 400 && message.test(error.message),
  );
}

describe('webhook form decoding', () => {
  it('decodes escapes in either case and + as a space', () => {
    assert.deepEqual(texts('mandrill_events=%5B%7b%22a%22%3A1%7D%5D&x=a+b%2Bc'), [
      ['mandrill_events', '[{"a":1}]'],
      ['x', 'a b+c'],
    ]);
  });

  it('reads UTF-8 escapes as text and keeps their bytes for the signature', () => {
    const [field] = parseWebhookForm(bytes('name=caf%C3%A9+%F0%9F%93%AC'));
    assert.deepEqual([...(field?.value ?? [])], [...bytes('café 📬')]);
    assert.equal(formText(field!), 'café 📬');
  });

  it('skips empty pairs and reads a field without = as empty', () => {
    assert.deepEqual(texts('&a=1&&b&'), [
      ['a', '1'],
      ['b', ''],
    ]);
    assert.deepEqual(texts(''), []);
  });

  it('names the field whose escape is malformed', () => {
    rejects('mandrill_events=%5B%G1', /"mandrill_events" has an invalid percent-encoding/);
    rejects('mandrill_events=abc%4', /invalid percent-encoding/);
    rejects('mandrill_events=abc%', /invalid percent-encoding/);
  });

  it('rejects bytes that are not UTF-8 once decoded', () => {
    rejects('mandrill_events=%C3%28', /"mandrill_events" is not valid UTF-8/);
    rejects('%FF=1', /not valid UTF-8/);
  });

  it('rejects a repeated field and more than 20 fields', () => {
    rejects('a=1&a=2', /"a" is repeated/);
    rejects(Array.from({ length: 21 }, (_, i) => `f${i}=1`).join('&'), /more than 20 fields/);
  });

  it('says when mandrill_events is missing', () => {
    assert.throws(
      () => parseWebhookEvents(parseWebhookForm(bytes('other=1'))),
      /mandrill_events is missing/,
    );
  });
});

test('encoded forms decode and sign', () => {
  // Mandrill's documented signature is over the URL, then each name and its decoded value.
  const field = fc.tuple(
    fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
  );
  fc.assert(
    fc.property(fc.uniqueArray(field, { selector: ([name]) => name, maxLength: 5 }), (pairs) => {
      const body = new URLSearchParams(pairs).toString();
      const fields = parseWebhookForm(bytes(body));
      assert.deepEqual(
        fields.map((f) => [f.name, formText(f)]),
        pairs,
      );
      const url = 'https://desk.example/webhooks/mandrill/7';
      let signed = url;
      const values = new Map(pairs);
      for (const name of [...values.keys()].sort()) signed += name + values.get(name);
      const expected = createHmac('sha1', 'key').update(signed, 'utf8').digest('base64');
      assert.equal(mandrillSignature('key', url, fields), expected);
    }),
  );
});
