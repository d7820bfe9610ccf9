import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeMessage } from '../../server/analysis/analyze.js';
import { AppError } from '../../server/errors.js';
import { ANALYSIS_PLATFORM, analysisZone } from '../support/analysis-zone.js';
import { withZone } from '../support/dns-server.js';
import { fc } from '../support/fast-check.js';

/** Fragments of header fields, tags and separators that malformed messages are made of. */
const FRAGMENTS = [
  'DKIM-Signature: ',
  'ARC-Seal: ',
  'ARC-Message-Signature: ',
  'ARC-Authentication-Results: ',
  'Received: ',
  'From: ',
  'Return-Path: ',
  'Content-Type: multipart/mixed; boundary=',
  'i=1; ',
  'i=0; ',
  'a=rsa-sha256; ',
  'a=ed25519-sha256; ',
  'd=harbor-rentals.example; ',
  's=h1; ',
  'b=; ',
  'bh=; ',
  'c=relaxed/relaxed; ',
  'h=from:to; ',
  'l=5; ',
  'x=1; ',
  'cv=pass; ',
  'from ',
  'by ',
  '[198.51.100.20]',
  '(::1)',
  '=?utf-8?B?AAAA?=',
  '(',
  ')',
  '[',
  ']',
  ';',
  '<',
  '>',
  '"',
  '\\',
  '@',
  ' ',
  '\r\n',
  '\r\n ',
  '\n',
  '\r',
  '\u00e9',
  '\u0000',
];

const malformedMessage = fc
  .tuple(fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 80 }), fc.boolean())
  .map(([parts, withBody]) => Buffer.from(parts.join('') + (withBody ? '\r\n\r\nbody\r\n' : '')));

describe('malformed messages', () => {
  it('give a result or an AppError', async () => {
    await withZone(analysisZone(), async (resolver) => {
      await fc.assert(
        fc.asyncProperty(malformedMessage, async (raw) => {
          try {
            const analysis = await analyzeMessage(raw, { resolver, platform: ANALYSIS_PLATFORM });
            assert.equal(typeof analysis.diagnosis.summary, 'string');
            assert.ok(analysis.diagnosis.summary.length > 0);
          } catch (error) {
            assert.ok(error instanceof AppError, String((error as Error).stack));
            assert.ok(error.status === 400 || error.status === 413, String(error.status));
          }
        }),
        { numRuns: 200 },
      );
    });
  });

  it('random bytes give a result or an AppError', async () => {
    await withZone(analysisZone(), async (resolver) => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 4096 }), async (bytes) => {
          try {
            await analyzeMessage(Buffer.from(bytes), { resolver, platform: ANALYSIS_PLATFORM });
          } catch (error) {
            assert.ok(error instanceof AppError, String((error as Error).stack));
          }
        }),
        { numRuns: 200 },
      );
    });
  });
});
