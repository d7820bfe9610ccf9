/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { keepScreenshot } from '../support/screenshots.js';
import { ADMIN } from '../support/server.js';
import { startTimedSends, type TimedSends } from '../support/timed-sends.js';
import { elementsPastViewport, misalignedLogLabels, overlappingLogControls } from './layout.js';

/** A phone's CSS viewport (390 by 844, as an iPhone 12 to 14 reports it). */
const PHONE = { width: 390, height: 844 };
const KEY = 'md-phone-key-000001';

describe('dashboard on a phone in dark mode', () => {
  let fixture: TimedSends;
  let mandrill: MandrillStandIn;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    mandrill = await startMandrillStandIn({ apiKeys: [KEY] });
    fixture = await startTimedSends({ DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url });
    // A long name and address make the longest option of the Mandrill account select.
    const created = await fixture.server.request('POST', '/api/accounts', {
      name: 'Lakeside Holiday Apartments and Mountain Cabins',
      sendingAddress: 'reservations-and-bookings@lakeside-holiday-apartments.example',
      method: 'mandrill',
      settings: { apiKey: KEY },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    mandrill.addSenderDomain({
      domain: 'lakeside-holiday-apartments.example',
      spf: { valid: false, valid_after: null, error: 'SPF record not found' },
      dkim: { valid: true, valid_after: '2026-10-01 08:00:00', error: null },
    });
    mandrill.addReject({
      email: 'a-rather-long-guest-address@faraway-mail-provider.example',
      detail: 'smtp;550 5.1.1 The email account that you tried to reach does not exist',
    });
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      colorScheme: 'dark',
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    page = await context.newPage();
    page.on('console', (message) => {
      // The session check before login gets a 401, and Chromium logs every failed load.
      if (message.type() === 'error' && !/status of 401 \(Unauthorized\)/.test(message.text())) {
        consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${fixture.server.url}/?days=30`);
    await page.waitForFunction(() => document.body.dataset.view === 'login');
    await page.fill('#login-email', ADMIN.email);
    await page.fill('#login-password', ADMIN.password);
    await page.click('#login-submit');
    await page.waitForFunction(() => document.body.dataset.chartsReady === 'true');
    await page.waitForSelector('#breakdown-domains tbody tr');
    await page.waitForSelector('#mandrill-domains table tbody tr');
    await page.waitForSelector('#mandrill-rejects table tbody tr');
  });

  after(async () => {
    await browser?.close();
    await fixture?.close();
    await mandrill?.close();
  });

  it('fits the width of the screen', async () => {
    assert.deepEqual(await elementsPastViewport(page, PHONE.width), []);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    assert.equal(widths.viewport, PHONE.width);
    assert.ok(widths.page <= widths.viewport, `the page is ${widths.page}px wide`);
    await keepScreenshot(page, 'dashboard-phone-dark');
  });

  it("scrolls Mandrill's tables in labelled regions", async () => {
    for (const container of ['#mandrill-domains', '#mandrill-rejects']) {
      const region = page.locator(`${container} .table-scroll:has(table)`);
      assert.equal(await region.count(), 1, `${container} has no table scroll region`);
      assert.equal(await region.getAttribute('role'), 'region');
      assert.equal(await region.getAttribute('tabindex'), '0');
      const caption = await region.locator('caption').textContent();
      assert.equal(await region.getAttribute('aria-label'), caption);
    }
  });

  it('log form controls do not overlap', async () => {
    assert.equal(await page.isVisible('#log-account'), true);
    assert.deepEqual(await overlappingLogControls(page), []);
    assert.deepEqual(await misalignedLogLabels(page), []);
  });

  it('uses the dark colors, charts included', async () => {
    const colors = await page.evaluate(() => {
      const chart = (window as any).deliverabilityCharts.delivery;
      return {
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
        chartText: String(chart.options.scales.x.ticks.color),
        chartTextVariable: getComputedStyle(document.documentElement)
          .getPropertyValue('--chart-text')
          .trim(),
      };
    });
    assert.equal(colors.background, 'rgb(17, 20, 24)');
    assert.equal(colors.text, 'rgb(230, 233, 237)');
    assert.equal(colors.chartTextVariable, '#b8c1cc');
    assert.equal(colors.chartText, colors.chartTextVariable);
    assert.deepEqual(consoleErrors, []);
  });
});
