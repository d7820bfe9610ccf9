/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ANALYSIS_KEYS, ANALYSIS_PLATFORM_ENV, analysisZone } from '../support/analysis-zone.js';
import { launchBrowser } from '../support/browser.js';
import { composeMessage, replaceText } from '../support/dkim-signing.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { ADMIN, startTestServer, type TestServer } from '../support/server.js';

describe('message analysis in Chromium', () => {
  let dns: DnsServer;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    dns = await startDnsServer(analysisZone());
    server = await startTestServer({ DELIVERABILITY_DNS: dns.address, ...ANALYSIS_PLATFORM_ENV });
    browser = await launchBrowser();
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await dns?.close();
  });

  it('pasted altered message shows the diagnosis', async () => {
    const signed = await composeMessage({
      from: 'office@harbor-rentals.example',
      key: ANALYSIS_KEYS.harbor,
    });
    const altered = replaceText(signed, 'under the mat', 'under the pot').toString('utf8');

    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.view === 'login');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('#login-submit');
    await page.waitForFunction(() => document.body.dataset.view === 'dashboard');

    await page.fill('#analyze-message', altered);
    await page.click('#analyze-submit');
    await page.waitForSelector('#analysis-diagnosis');

    const summary = await page.locator('#analysis-diagnosis .analysis-summary').textContent();
    assert.match(summary ?? '', /reject this message/);
    assert.match(summary ?? '', /the smtp method/);
    const codes = await page
      .locator('#analysis-diagnosis .analysis-causes li')
      .evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.code));
    assert.deepEqual(codes, ['dmarc.reject_unaligned', 'dkim.body_hash_mismatch']);
    const dkim = await page.locator('.analysis-dkim li').first().textContent();
    assert.match(dkim ?? '', /d=harbor-rentals\.example s=h1/);
    assert.match(dkim ?? '', /body hash did not verify/);
    // The diagnosis comes before the authentication results.
    const order = await page
      .locator('#analyze-result > section')
      .evaluateAll((sections) => sections.map((section) => section.id));
    assert.deepEqual(order.slice(0, 2), ['analysis-diagnosis', 'analysis-results']);
    const unexpected = consoleErrors.filter((text) => !/status of 401 \(Unauthorized\)/.test(text));
    assert.deepEqual(unexpected, []);
  });

  it('uploaded file with a Received chain', async () => {
    const signed = await composeMessage({
      from: 'office@harbor-rentals.example',
      key: ANALYSIS_KEYS.harbor,
    });
    const received =
      'Received: from mail.harbor-rentals.example (mail.harbor-rentals.example [198.51.100.20]) by mx1.guests.example with ESMTPS; Fri, 4 Dec 2026 10:00:07 +0000\r\n';
    await page.fill('#analyze-message', 'Subject: pasted\r\n\r\nHi');
    await page.setInputFiles('#analyze-file', {
      name: 'message.eml',
      mimeType: 'message/rfc822',
      buffer: Buffer.concat([Buffer.from(received), signed]),
    });
    // Both given: neither is picked silently.
    await page.click('#analyze-submit');
    await page.waitForSelector('#analyze-error:not([hidden])');
    assert.match(
      (await page.textContent('#analyze-error')) ?? '',
      /Both a pasted message and the file message\.eml are given/,
    );
    await page.fill('#analyze-message', '');
    await page.click('#analyze-submit');
    await page.waitForFunction(
      () => document.querySelector('#analysis-hops tr[data-hop="1"]') !== null,
    );
    const summary = await page.locator('#analysis-diagnosis .analysis-summary').textContent();
    assert.match(summary ?? '', /DMARC passes for harbor-rentals\.example/);
    const ipCell = await page.locator('#analysis-hops tr[data-hop="1"] td').last().textContent();
    assert.equal(ipCell, '198.51.100.20');
    assert.deepEqual(
      consoleErrors.filter((text) => !/401/.test(text)),
      [],
    );
  });

  it('text without headers shows the error', async () => {
    await page.setInputFiles('#analyze-file', []);
    await page.fill('#analyze-message', 'my guest never got it');
    await page.click('#analyze-submit');
    await page.waitForSelector('#analyze-error:not([hidden])');
    const error = await page.locator('#analyze-error').textContent();
    assert.match(error ?? '', /no header fields/);
    // The diagnosis of the message analyzed before is gone.
    assert.equal(await page.locator('#analyze-result > *').count(), 0);
  });
});
