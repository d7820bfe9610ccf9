/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { keepScreenshot } from '../support/screenshots.js';
import { ADMIN } from '../support/server.js';
import { startTimedSends, type TimedSends } from '../support/timed-sends.js';

/** A phone's CSS viewport (390 by 844, as an iPhone 12 to 14 reports it). */
const PHONE = { width: 390, height: 844 };

describe('dashboard on a phone in dark mode', () => {
  let fixture: TimedSends;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    fixture = await startTimedSends();
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
  });

  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  it('fits the width of the screen', async () => {
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      // Sections wider than the screen, other than the tables' own scroll regions.
      wide: Array.from(document.querySelectorAll<HTMLElement>('#dashboard section'))
        .filter((section) => section.getBoundingClientRect().width > window.innerWidth)
        .map((section) => section.id),
    }));
    assert.equal(widths.viewport, PHONE.width);
    assert.ok(widths.page <= widths.viewport, `the page is ${widths.page}px wide`);
    assert.deepEqual(widths.wide, []);
    await keepScreenshot(page, 'dashboard-phone-dark');
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
