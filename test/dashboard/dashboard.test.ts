/// <reference lib="dom" />
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dsnMessage } from '../support/bounce-messages.js';
import { launchBrowser } from '../support/browser.js';
import { assertTabOrder } from '../support/keyboard.js';
import { keepScreenshot } from '../support/screenshots.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { ADMIN, makeTempDir, startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';
import { createTestCertificate } from '../support/tls.js';
import { loadCorpusZone } from '../support/zones.js';
import { misalignedLogLabels, overlappingLogControls } from './layout.js';

const KEY = 'md-dashboard-key-000001';

interface ChartPoint {
  x: string | number;
  y: number;
}

describe('dashboard in Chromium', () => {
  let relay: SmtpPeer;
  let managerServer: SmtpPeer;
  let mandrill: MandrillStandIn;
  let dns: DnsServer;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  before(async () => {
    const cert = createTestCertificate(makeTempDir());
    relay = await startSmtpPeer();
    managerServer = await startSmtpPeer({
      tls: cert,
      unknownRecipients: ['nobody@guests.example'],
    });
    mandrill = await startMandrillStandIn({ apiKeys: [KEY] });
    dns = await startDnsServer(loadCorpusZone());
    server = await startTestServer({
      DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
      DELIVERABILITY_DNS: dns.address,
      DELIVERABILITY_SMTP_CA_FILE: cert.certFile,
    });
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
    await Promise.all([relay?.close(), managerServer?.close(), mandrill?.close(), dns?.close()]);
  });

  async function account(method: string, settings: Record<string, unknown>): Promise<number> {
    const response = await server.request('POST', '/api/accounts', {
      name: `Account ${method}`,
      sendingAddress: `office@${method}-rentals.example`,
      method,
      settings,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.account.id;
  }

  async function send(accountId: number, to: string[], subject: string): Promise<void> {
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject,
      text: 'Hello',
      kind: 'manual',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  }

  it('charts and lists sends of all three methods', async () => {
    await send(await account('default', {}), ['a@guests.example'], 'Default send');
    const smtp = await account('smtp', {
      host: '127.0.0.1',
      port: managerServer.port,
      security: 'starttls',
    });
    await send(smtp, ['b@guests.example', 'nobody@guests.example'], 'SMTP <b>send</b>');
    const mandrillAccount = await account('mandrill', { apiKey: KEY });
    await send(mandrillAccount, ['c@guests.example', 'd@guests.example'], 'Mandrill send');
    const bounced = [...mandrill.messages.values()].find((m) => m.email === 'd@guests.example');
    assert.ok(bounced);
    mandrill.update(bounced._id, { state: 'bounced', diag: 'smtp;550 5.1.1 user unknown' });
    await server.runJobsOnce();

    await page.goto(`${server.url}/?days=7`);
    await page.waitForFunction(() => document.body.dataset.view === 'login');
    await page.fill('input[name=email]', ADMIN.email);
    await page.fill('input[name=password]', ADMIN.password);
    await page.click('#login-submit');
    await page.waitForFunction(() => document.body.dataset.chartsReady === 'true');
    assert.match((await page.locator('#current-user').textContent()) ?? '', /admin@desk\.example/);

    const lastDelivery = await page.evaluate(() => {
      const chart = (window as any).deliverabilityCharts.delivery;
      return chart.data.datasets.map((d: { label: string; data: ChartPoint[] }) => ({
        label: d.label,
        y: d.data.at(-1)?.y,
      }));
    });
    const byLabel = Object.fromEntries(
      lastDelivery.map((d: { label: string; y: number }) => [d.label, d.y]),
    );
    assert.equal(byLabel['Platform default'], 100);
    assert.equal(byLabel['Own SMTP server'], 50);
    assert.equal(byLabel['Mandrill'], 50);

    const rows = await page.locator('table#recent-sends tr[data-send-id]').count();
    assert.equal(rows, 5);
    const states = await page
      .locator('table#recent-sends tr[data-send-id]')
      .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.state));
    assert.deepEqual([...states].sort(), [
      'accepted',
      'accepted',
      'bounced',
      'delivered',
      'rejected',
    ]);
    const subjectCell = await page
      .locator('table#recent-sends td[data-label="Subject"]', { hasText: 'SMTP' })
      .first()
      .textContent();
    assert.equal(subjectCell?.trim(), 'SMTP <b>send</b>');

    const mandrillRow = page.locator('#summary-table tr[data-method="mandrill"]');
    assert.match((await mandrillRow.textContent()) ?? '', /50\.0\s*%/);
    // Each rate has its 95% interval, and with two sends per method no comparison is claimed.
    assert.match((await mandrillRow.textContent()) ?? '', /50\.0% \(\d+\.\d–\d+\.\d\)/);
    const download = page.waitForEvent('download');
    await page.click('#summary-csv');
    const csv = await (await download).path();
    const lines = (await import('node:fs')).readFileSync(csv, 'utf8').trim().split('\r\n');
    assert.equal(lines.length, 4);
    assert.match(lines[3] ?? '', /^mandrill,2,1,1,/);
    assert.equal(await page.getAttribute('#bounces-csv', 'href'), '/api/bounces.csv');
    await page.waitForSelector('#breakdown-domains tbody tr');
    const domains = (await page.locator('#breakdown-domains tbody').textContent()) ?? '';
    assert.match(domains, /guests\.example/);
    const headings = await page.locator('#breakdown-domains thead th').allTextContents();
    assert.deepEqual(headings.slice(3, 5), ['Bounced', 'Soft bounced']);
    const domainCsv = page.waitForEvent('download');
    await page.click('#breakdown-recipientDomain-csv');
    const domainLines = (await import('node:fs'))
      .readFileSync(await (await domainCsv).path(), 'utf8')
      .trim()
      .split('\r\n');
    assert.match(domainLines[0] ?? '', /^recipientDomain,sent,delivered,bounced,softBounced,/);
    assert.match(domainLines[1] ?? '', /^guests\.example,/);
    assert.match((await page.locator('#bounce-reasons').textContent()) ?? '', /userunknown/);
    await keepScreenshot(page, 'dashboard-overview');
    const comparisons = page.locator('#method-comparisons li');
    assert.equal(await comparisons.count(), 6);
    assert.match((await comparisons.first().textContent()) ?? '', /^Too few sends to compare/);
    // The session check before login answers 401, and Chromium logs every failed load.
    const unexpected = consoleErrors.filter((text) => !/status of 401 \(Unauthorized\)/.test(text));
    assert.deepEqual(unexpected, []);
  });

  it("shows Mandrill's sending domains and denylist as text", async () => {
    mandrill.addSenderDomain(
      {
        domain: 'mandrill-rentals.example',
        spf: { valid: false, valid_after: null, error: 'SPF record not found' },
        dkim: { valid: true, valid_after: '2026-10-01 08:00:00', error: null },
      },
      KEY,
    );
    mandrill.addReject({ email: 'gone@guests.example', detail: '<i>550</i> user unknown' }, KEY);
    await page.reload();
    await page.waitForSelector('#mandrill-domains table');
    await page.waitForSelector('#mandrill-rejects table');
    const domainRow = await page.locator('#mandrill-domains tbody tr').first().textContent();
    assert.match(domainRow ?? '', /mandrill-rentals\.example/);
    assert.match(domainRow ?? '', /not verified/);
    assert.match(domainRow ?? '', /SPF record not found/);
    const detail = await page
      .locator('#mandrill-rejects td[data-label="Detail"]')
      .first()
      .textContent();
    assert.equal(detail?.trim(), '<i>550</i> user unknown');
    assert.equal(await page.locator('#mandrill-rejects i').count(), 0);
    // Mandrill's UTC times show in the page's date format, with the instant in `datetime`.
    const since = page.locator('#mandrill-rejects td[data-label="Since"] time');
    assert.match((await since.getAttribute('datetime')) ?? '', /^\d{4}-\d{2}-\d{2}T[\d:]+Z$/);
    assert.doesNotMatch((await since.textContent()) ?? '', /^\d{4}-\d{2}-\d{2} /);
    for (const container of ['#mandrill-domains', '#mandrill-rejects']) {
      const region = page.locator(`${container} .table-scroll[role="region"][tabindex="0"]`);
      assert.equal(await region.locator('table').count(), 1, `${container} scroll region`);
    }
    await keepScreenshot(page, 'dashboard-mandrill');

    await page.fill('#mandrill-rejects-email', 'someone@guests.example');
    await page.click('#mandrill-rejects-submit');
    await page.waitForFunction(() =>
      /someone@guests\.example/.test(
        document.getElementById('mandrill-rejects')?.textContent ?? '',
      ),
    );
    assert.equal(
      (await page.locator('#mandrill-rejects tbody').textContent())?.trim(),
      "someone@guests.example is not on Mandrill's denylist.",
    );
  });

  it('lists bounces, matched and not, with their text as text', async () => {
    const sent = await server.request('POST', '/api/accounts', {
      name: 'Bounced',
      sendingAddress: 'office@bounced-rentals.example',
      method: 'default',
    });
    const accountId = sent.body.account.id;
    await send(accountId, ['gone@guests.example'], 'Will bounce');
    const returnPath = relay.messages.at(-1)?.from ?? '';
    const raw = { 'content-type': 'message/rfc822' };
    const matched = await server.request(
      'POST',
      '/api/bounces',
      dsnMessage({ to: returnPath, recipient: 'gone@guests.example' }),
      raw,
    );
    assert.equal(matched.status, 201);
    await server.request(
      'POST',
      '/api/bounces',
      dsnMessage({
        to: 'nobody@nowhere.example',
        recipient: 'stranger@guests.example',
        diagnostic: '550 <b>no</b> such user',
      }),
      raw,
    );
    await page.reload();
    await page.waitForSelector('#bounces-table tr[data-bounce-id]');
    const rows = page.locator('#bounces-table tbody tr');
    assert.equal(await rows.count(), 2);
    const text = (await page.locator('#bounces-table').textContent()) ?? '';
    assert.match(text, /gone@guests\.example/);
    assert.match(text, /userunknown \(hard\)/);
    assert.match(text, /550 <b>no<\/b> such user/);
    assert.equal(await page.locator('#bounces-table b').count(), 0);
    await page.check('#bounces-unmatched');
    await page.waitForFunction(
      () => document.querySelectorAll('#bounces-table tr[data-bounce-id]').length === 1,
    );
    assert.match(
      (await page.locator('#bounces-table tbody').textContent()) ?? '',
      /stranger@guests\.example.*unmatched/s,
    );
  });

  it('searches the message log from the URL and opens a timeline', async () => {
    await page.goto(`${server.url}/?logRecipient=%40guests.example&logState=bounced`);
    await page.waitForSelector('#recent-sends tr[data-send-id]');
    const states = await page
      .locator('#recent-sends tr[data-send-id]')
      .evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.state));
    assert.ok(states.length > 0);
    assert.ok(
      states.every((s) => s === 'bounced'),
      states.join(','),
    );
    assert.equal(await page.inputValue('#log-recipient'), '@guests.example');
    assert.match(
      (await page.getAttribute('#sends-csv', 'href')) ?? '',
      /recipientDomain=guests\.example&state=bounced/,
    );
    await page.selectOption('#log-state', '');
    await page.fill('#log-recipient', 'b@guests.example');
    await page.click('#log-submit');
    await page.waitForFunction(() => location.search.includes('logRecipient=b%40guests.example'));
    await page.waitForFunction(
      () => document.querySelectorAll('#recent-sends tr[data-send-id]').length === 1,
    );
    await page.click('#recent-sends tr[data-send-id]');
    await page.waitForSelector('#send-timeline tbody tr');
    const timeline = (await page.locator('#send-timeline').textContent()) ?? '';
    assert.match(timeline, /queued/);
    assert.match(timeline, /accepted/);
    await keepScreenshot(page, 'dashboard-message-log');

    // The account filter lists the accounts; with the recipient cleared it keeps one account.
    await page.fill('#log-recipient', '');
    assert.equal(await page.isVisible('#log-account'), true);
    await page.selectOption('#log-account', { label: 'Account mandrill' });
    await page.click('#log-submit');
    await page.waitForFunction(() => location.search.includes('logAccount='));
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('#recent-sends td[data-label="Method"]')).every(
        (cell) => cell.textContent === 'Mandrill',
      ),
    );
    const mandrillRows = await page.locator('#recent-sends tr[data-send-id]').count();
    assert.equal(mandrillRows, 2);
    // The sender filter finds the sends of one From address.
    await page.selectOption('#log-account', '');
    await page.fill('#log-sender', 'office@smtp-rentals.example');
    await page.click('#log-submit');
    await page.waitForFunction(() => location.search.includes('logSender='));
    await page.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('#recent-sends td[data-label="Method"]'))
          .map((cell) => cell.textContent)
          .join() === 'Own SMTP server,Own SMTP server',
    );
    // The timeline opened before belongs to no later search.
    assert.equal(await page.locator('#send-detail > *').count(), 0);

    // Filters that match nothing get their own message, not that of a log without sends.
    await page.fill('#log-sender', 'nobody@nowhere.example');
    await page.click('#log-submit');
    await page.waitForFunction(() => location.search.includes('logSender=nobody'));
    await page.waitForSelector('#recent-sends tbody td.muted');
    assert.equal(
      (await page.locator('#recent-sends tbody').textContent())?.trim(),
      'No sends match these filters.',
    );
    assert.equal(await page.isVisible('#sends-csv'), true);

    // A rejected search offers no CSV, which would hold the previous search's sends.
    await page.fill('#log-sender', '');
    await page.fill('#log-recipient', 'foo bar');
    await page.click('#log-submit');
    await page.waitForFunction(() => location.search.includes('logRecipient=foo'));
    await page.waitForSelector('#sends-csv', { state: 'hidden' });
  });

  it('log form controls do not overlap', async () => {
    // A long account name makes the longest option of the account select.
    await server.request('POST', '/api/accounts', {
      name: 'Lakeside Holiday Apartments and Mountain Cabins',
      sendingAddress: 'office@lakeside-rentals.example',
      method: 'default',
    });
    await page.goto(server.url);
    await page.waitForSelector('#log-account option:has-text("Lakeside")', { state: 'attached' });
    assert.equal(await page.isVisible('#log-account'), true);
    for (const width of [320, 390, 720, 1024, 1280, 1600]) {
      await page.setViewportSize({ width, height: 900 });
      assert.deepEqual(await overlappingLogControls(page), [], `at ${width}px`);
      assert.deepEqual(await misalignedLogLabels(page), [], `at ${width}px`);
      if (width === 1280) await keepScreenshot(page, 'dashboard-log-form');
    }
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('domain check form shows per-method verdicts', async () => {
    await page.fill('input[name=domain]', '18f.gov');
    await page.click('#domain-check-submit');
    await page.waitForSelector('#verdict-mandrill[data-outcome]');
    await keepScreenshot(page, 'dashboard-domain-check');
    const outcomes = await page.evaluate(() =>
      ['default', 'smtp', 'mandrill'].map(
        (m) => document.getElementById(`verdict-${m}`)?.dataset.outcome,
      ),
    );
    const api = await server.request('GET', '/api/domains/18f.gov/check');
    assert.equal(api.status, 200);
    assert.deepEqual(outcomes, [
      api.body.methods.default.outcome,
      api.body.methods.smtp.outcome,
      api.body.methods.mandrill.outcome,
    ]);
    assert.match((await page.locator('#record-dmarc').textContent()) ?? '', /reject/);
    assert.equal(await page.locator('#spf-tree li.spf-node[data-domain="18f.gov"]').count(), 1);
    const mandrillCard = page.locator('#verdict-mandrill');
    assert.equal(await mandrillCard.locator('.requirements li[data-requirement]').count(), 5);
    const records = await mandrillCard
      .locator('.records-to-publish tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => `${(r as HTMLElement).dataset.type} ${(r as HTMLElement).dataset.name}`),
      );
    assert.deepEqual(records, [
      'TXT 18f.gov',
      'CNAME mte1._domainkey.18f.gov',
      'CNAME mte2._domainkey.18f.gov',
    ]);
    assert.equal(await page.locator('#related-checks #related-mx').count(), 1);
  });

  it('Tab reaches every control of the checked domain', async () => {
    await assertTabOrder(page);
  });

  it('domain check form shows a validation error', async () => {
    await page.fill('input[name=domain]', 'bad..domain');
    await page.click('#domain-check-submit');
    await page.waitForFunction(
      () => (document.getElementById('domain-check-error')?.textContent ?? '').length > 0,
    );
    assert.match(
      (await page.locator('#domain-check-error').textContent()) ?? '',
      /must be a domain name/,
    );
    // The result of the domain checked before is gone, so it cannot pass for this one.
    assert.equal(await page.locator('#domain-result > *').count(), 0);
  });

  it('domain check names a domain that does not exist first', async () => {
    await page.fill('input[name=domain]', '18f.gvo');
    await page.click('#domain-check-submit');
    await page.waitForSelector('#domain-missing');
    assert.match(
      (await page.locator('#domain-missing').textContent()) ?? '',
      /^18f\.gvo does not exist in DNS \(NXDOMAIN\).*Check the spelling of 18f\.gvo/,
    );
    // The notice comes before the verdicts, and no record offers a fix.
    const missingFirst = await page.evaluate(() => {
      const missing = document.getElementById('domain-missing');
      const verdicts = document.querySelector('#domain-result .verdicts');
      if (!missing || !verdicts) return false;
      return Boolean(missing.compareDocumentPosition(verdicts) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.equal(missingFirst, true);
    assert.equal(await page.locator('#domain-result .records .issue-fix').count(), 0);
  });

  it('logout clears the data and shows the login form', async () => {
    await page.click('#logout');
    await page.waitForFunction(() => document.body.dataset.view === 'login');
    assert.equal(await page.locator('table#recent-sends tr[data-send-id]').count(), 0);
    assert.doesNotMatch((await page.content()) ?? '', /guests\.example/);
    const api = await page.evaluate(async () => (await fetch('/api/sends')).status);
    assert.equal(api, 401);
  });
});
