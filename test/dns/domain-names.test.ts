import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRequestSchema } from '../../server/domains/service.js';
import { AppError } from '../../server/errors.js';
import { parseInput } from '../../server/validation.js';

function parseDomain(domain: string): string {
  return parseInput(checkRequestSchema, { domain }, 'domain check').domain;
}

function rejectionMessage(domain: string): string {
  try {
    parseDomain(domain);
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 400);
    return error.message;
  }
  assert.fail(`${domain} was accepted`);
}

describe('domain check input', () => {
  it('converts an IDN to A-labels', () => {
    assert.equal(parseDomain('Bücher.Example'), 'xn--bcher-kva.example');
    assert.equal(parseDomain('例え.テスト'), 'xn--r8jz45g.xn--zckzah');
  });
  it('keeps a valid A-label', () => {
    assert.equal(parseDomain('xn--bcher-kva.example'), 'xn--bcher-kva.example');
  });
  it('tolerates a trailing dot', () => {
    assert.equal(parseDomain('Example.COM.'), 'example.com');
    assert.equal(parseDomain('bücher.example.'), 'xn--bcher-kva.example');
  });
  it('keeps underscore labels', () => {
    assert.equal(parseDomain('_dmarc.example.com'), '_dmarc.example.com');
  });
  it('rejects an invalid A-label', () => {
    assert.match(rejectionMessage('xn--zz.example'), /must be a domain name/);
  });
  it('rejects URL syntax in an IDN', () => {
    assert.match(rejectionMessage('bücher.example/path'), /must be a domain name/);
    assert.match(rejectionMessage('a%41.example'), /must be a domain name/);
  });
  it('names the 63-character label limit', () => {
    const message = rejectionMessage(`${'a'.repeat(64)}.example`);
    assert.match(message, /each label must be at most 63 characters/);
    assert.match(message, /has 64/);
  });
  it('accepts a 63-character label', () => {
    const domain = `${'a'.repeat(63)}.example`;
    assert.equal(parseDomain(domain), domain);
  });
  it('names the 253-character name limit', () => {
    const domain = `${Array.from({ length: 4 }, () => 'a'.repeat(62)).join('.')}.example`;
    assert.equal(domain.length, 259);
    const message = rejectionMessage(domain);
    assert.match(message, /must be at most 253 characters/);
    assert.match(message, /has 259/);
  });
  it('measures the limit after conversion', () => {
    // 61 "ü" are 61 characters, but their A-label is longer than 63.
    const message = rejectionMessage(`${'ü'.repeat(61)}.example`);
    assert.match(message, /each label must be at most 63 characters/);
  });
  it('accepts a 253-character name', () => {
    const domain = `${Array.from({ length: 3 }, () => 'a'.repeat(63)).join('.')}.${'b'.repeat(61)}`;
    assert.equal(domain.length, 253);
    assert.equal(parseDomain(domain), domain);
  });
  it('rejects IP literals', () => {
    assert.match(rejectionMessage('127.0.0.1'), /not an IP address/);
    assert.match(rejectionMessage('::1'), /not an IP address/);
  });
  it('rejects a single label', () => {
    assert.match(rejectionMessage('localhost'), /must be a domain name such as example\.com/);
  });
});
