/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { assertFocusRings, assertTabOrder, type FocusStop, tabTo } from '../support/keyboard.js';
import { keepScreenshot } from '../support/screenshots.js';
import { ADMIN } from '../support/server.js';
import { startTimedSends, type TimedSends } from '../support/timed-sends.js';

/** The number of points of the default method's dataset in the delivery chart. */
function defaultPoints(page: Page): Promise<number> {
  return page.evaluate(() => {
    const chart = (window as any).deliverabilityCharts.delivery;
    const dataset = chart.data.datasets.find(
      (d: { label: string }) => d.label === 'Platform default',
    );
    return dataset?.data.length ?? 0;
  });
}

/** The cells of the default method's row in the totals table, keyed by column heading. */
async function defaultTotals(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const headings = Array.from(document.querySelectorAll('#summary-table thead th')).map(
      (th) => th.textContent ?? '',
    );
    const row = document.querySelector('#summary-table tr[data-method="default"]');
    const cells = Array.from(row?.children ?? []).map((cell) => cell.textContent ?? '');
    return Object.fromEntries(headings.map((heading, i) => [heading, cells[i] ?? '']));
  });
}

/** Types a `2026-11-24` date into the focused date input, whose en-US fields are mm/dd/yyyy. */
async function typeDate(page: Page, isoDate: string): Promise<void> {
  const [year, month, day] = isoDate.split('-');
  await page.keyboard.type(`${month}${day}${year}`);
}

describe('dashboard report period in Chromium', () => {
  let fixture: TimedSends;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    fixture = await startTimedSends();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  /** Opens a new context on `path`, with the login form showing and its email field focused. */
  async function openLoggedOut(path: string): Promise<void> {
    await context?.close();
    context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    page = await context.newPage();
    page.on('console', (message) => {
      // The session check before login gets a 401, and Chromium logs every failed load.
      if (message.type() === 'error' && !/status of 401 \(Unauthorized\)/.test(message.text())) {
        consoleErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(`${fixture.server.url}${path}`);
    await page.waitForFunction(() => document.body.dataset.view === 'login');
  }

  async function logIn(path: string): Promise<void> {
    await openLoggedOut(path);
    await page.fill('#login-email', ADMIN.email);
    await page.fill('#login-password', ADMIN.password);
    await page.click('#login-submit');
  }

  it('restores a custom period from a shared link', async () => {
    const { day } = fixture;
    await logIn(`/?from=${day(0)}&to=${day(1)}`);
    await page.waitForFunction(() => document.body.dataset.chartsReady === 'true');
    assert.equal(await page.inputValue('#period'), 'custom');
    assert.equal(await page.inputValue('#range-from'), day(0));
    assert.equal(await page.inputValue('#range-to'), day(1));
    assert.equal(await page.isVisible('#range-fields'), true);
    const totals = await defaultTotals(page);
    assert.equal(totals['Sent'], '5');
    assert.equal(totals['Delivered'], '4');
    assert.equal(totals['Rejected'], '1');
    assert.match((await page.textContent('#summary-period')) ?? '', / to .* \(UTC\)$/);
    // Two days get hour buckets: the sends fall in four hours.
    assert.equal(await page.inputValue('#bucket'), 'hour');
    assert.equal(await defaultPoints(page), 4);
    await page.waitForSelector('#summary-csv', { state: 'visible' });
    const csv = (await page.getAttribute('#summary-csv', 'href')) ?? '';
    assert.equal(csv, `/api/reports/summary.csv?from=${day(0)}&to=${day(1)}`);
    await page.waitForSelector('#breakdown-domains tbody tr');
    const domains = (await page.textContent('#breakdown-domains tbody')) ?? '';
    assert.match(domains, /gmail\.example\s*4/);
    await keepScreenshot(page, 'dashboard-custom-range');
    assert.deepEqual(consoleErrors, []);
  });

  it("shows the server's message for an invalid period", async () => {
    const { day } = fixture;
    await page.goto(`${fixture.server.url}/?from=${day(2)}&to=${day(0)}`);
    await page.waitForFunction(() => document.body.dataset.chartsReady === 'error');
    await page.waitForSelector('#period-error:not([hidden])');
    const error = (await page.textContent('#period-error')) ?? '';
    assert.match(error, new RegExp(`from: must be before to\\. Swap .*"${day(2)}"`));
    assert.equal(await page.getAttribute('#range-from', 'aria-invalid'), 'true');
    assert.equal(await page.isVisible('#charts-grid'), false, 'no empty charts');
    // The message shows once, under the picker, and each report shows only that it is missing.
    for (const target of ['#summary', '#charts-status', '#breakdowns']) {
      await page.waitForSelector(`${target} .status-empty`);
    }
    const occurrences = await page.evaluate(
      () => document.body.innerText.split('from: must be before to').length - 1,
    );
    assert.equal(occurrences, 1);
    const notLoaded = 'Not loaded, because the period is invalid.';
    assert.equal(await page.textContent('#summary'), notLoaded);
    assert.equal(await page.textContent('#charts-status'), notLoaded);
    assert.equal(await page.textContent('#breakdowns'), notLoaded);
    assert.equal(await page.isVisible('#summary-csv'), false, 'no CSV link for a rejected period');
    assert.equal(await page.locator('#dashboard [role="alert"]:visible').count(), 1);
    await keepScreenshot(page, 'dashboard-range-error');
    // The 400s of the three reports are the only failed loads.
    const unexpected = consoleErrors.filter((text) => !/status of 400 \(Bad Request\)/.test(text));
    assert.deepEqual(unexpected, []);
    consoleErrors.length = 0;
  });

  it('shows a period of 365 days from a link', async () => {
    await page.goto(`${fixture.server.url}/?days=365`);
    await page.waitForFunction(() => document.body.dataset.chartsReady === 'true');
    assert.equal(await page.inputValue('#period'), '365');
    assert.equal(await page.locator('#period option:checked').textContent(), 'Last 365 days');
    assert.match(page.url(), /[?&]days=365(&|$)/);
    assert.equal(await page.isVisible('#period-notice'), false);
    await page.waitForSelector('#summary-csv', { state: 'visible' });
    assert.equal(
      await page.getAttribute('#summary-csv', 'href'),
      '/api/reports/summary.csv?days=365',
    );
    // The summary's period starts 365 days before it ends.
    const period = await page.evaluate(async () => {
      const response = await fetch('/api/reports/summary?days=365');
      const body = await response.json();
      return (Date.parse(body.to) - Date.parse(body.from)) / 86_400_000;
    });
    assert.equal(period, 365);
    // A preset chosen afterwards replaces the period of the link.
    await page.selectOption('#period', '7');
    await page.waitForFunction(() => location.search.includes('days=7'));
    assert.equal(await page.locator('#period option[value="365"]').count(), 0);
    assert.deepEqual(consoleErrors, []);
  });

  it('names the link values it replaces', async () => {
    await page.goto(`${fixture.server.url}/?days=abc&bucket=week`);
    await page.waitForFunction(() => document.body.dataset.chartsReady === 'true');
    await page.waitForSelector('#period-notice:not([hidden])');
    const notice = (await page.textContent('#period-notice')) ?? '';
    assert.match(notice, /days=abc is not a whole number of days from 1 to 366/);
    assert.match(notice, /the last 30 days are shown/);
    assert.match(notice, /bucket=week is not available/);
    assert.equal(await page.inputValue('#period'), '30');
    const query = new URL(page.url()).searchParams;
    assert.equal(query.get('days'), '30');
    assert.equal(query.has('bucket'), false);
    await keepScreenshot(page, 'dashboard-link-notice');

    for (const days of ['0', '367', '1.5']) {
      await page.goto(`${fixture.server.url}/?days=${days}`);
      await page.waitForSelector('#period-notice:not([hidden])');
      assert.match((await page.textContent('#period-notice')) ?? '', new RegExp(`days=${days} `));
      assert.equal(new URL(page.url()).searchParams.get('days'), '30');
    }
    assert.deepEqual(consoleErrors, []);
  });

  it('keyboard alone picks a period, hours and a message', async () => {
    const { day } = fixture;
    await openLoggedOut('/');
    const stops: FocusStop[] = [];
    // The login form focuses its email field.
    await page.keyboard.type(ADMIN.email);
    stops.push(...(await tabTo(page, '#login-password')));
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.chartsReady === 'true');
    // The page title takes the focus from the hidden login form, so Tab starts at the header.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'site-title');
    const toPeriod = await tabTo(page, '#period');
    assert.equal(toPeriod.length, 1, toPeriod.map((stop) => stop.name).join(', '));
    stops.push(...toPeriod);
    await page.keyboard.press('End');
    assert.equal(await page.inputValue('#period'), 'custom');
    stops.push(...(await tabTo(page, '#range-from')));
    await typeDate(page, day(0));
    stops.push(...(await tabTo(page, '#range-to')));
    await typeDate(page, day(2));
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (from) =>
        location.search.includes(`from=${from}`) && document.body.dataset.chartsReady === 'true',
      day(0),
    );
    const totals = await defaultTotals(page);
    assert.equal(totals['Sent'], '6');
    assert.equal(totals['Rejected'], '1');
    // Three days get day buckets by default.
    assert.equal(await page.inputValue('#bucket'), 'day');
    assert.equal(await defaultPoints(page), 3);

    stops.push(...(await tabTo(page, '#bucket')));
    await page.keyboard.press('ArrowDown');
    await page.waitForFunction(
      () => location.search.includes('bucket=hour') && document.body.dataset.chartsReady === 'true',
    );
    assert.equal(await defaultPoints(page), 5);
    assert.match((await page.getAttribute('#chart-delivery', 'aria-label')) ?? '', /hourly/);
    await keepScreenshot(page, 'dashboard-hourly');

    stops.push(...(await tabTo(page, '#recent-sends .link-button')));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'send-detail-heading');
    assert.match((await page.textContent('#send-detail-heading')) ?? '', /f@outlook\.example/);
    assert.match((await page.textContent('#send-timeline')) ?? '', /accepted/);
    await keepScreenshot(page, 'dashboard-keyboard-message');

    // Shift+Tab leaves the timeline for the last send of the list, and Space opens it.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    await page.waitForFunction(() =>
      /a@gmail\.example/.test(document.getElementById('send-detail-heading')?.textContent ?? ''),
    );
    assertFocusRings(stops);
    assert.deepEqual(consoleErrors, []);
  });

  it('Tab reaches every control once, in page order', async () => {
    await assertTabOrder(page);
  });
});
