import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { startTimedSends, type TimedSends } from '../support/timed-sends.js';

interface MethodRow {
  method: string;
  sent: number;
  delivered: number;
  rejected: number;
  deliveryRate: number | null;
}

interface SeriesBody {
  bucket: string;
  from: string;
  to: string;
  series: { method: string; points: { t: string; sent: number }[] }[];
}

describe('reports over a custom period', () => {
  let fixture: TimedSends;
  let day: TimedSends['day'];

  before(async () => {
    fixture = await startTimedSends();
    day = fixture.day;
  });

  after(async () => {
    await fixture?.close();
  });

  async function get(path: string) {
    const response = await fixture.server.request('GET', path);
    assert.equal(response.status, 200, `${path}: ${JSON.stringify(response.body)}`);
    return response.body;
  }

  async function defaultRow(query: string): Promise<MethodRow> {
    const body = await get(`/api/reports/summary?${query}`);
    const row = body.methods.find((m: MethodRow) => m.method === 'default');
    assert.ok(row, JSON.stringify(body.methods));
    return row;
  }

  async function series(query: string): Promise<SeriesBody & { points: string[] }> {
    const body = (await get(`/api/reports/series?${query}`)) as SeriesBody;
    const points = body.series.find((s) => s.method === 'default')?.points ?? [];
    return { ...body, points: points.map((p) => p.t) };
  }

  it('summary includes the whole day named by to', async () => {
    const row = await defaultRow(`from=${day(0)}&to=${day(1)}`);
    assert.equal(row.sent, 5);
    assert.equal(row.delivered, 4);
    assert.equal(row.rejected, 1);
    assert.equal(row.deliveryRate, 0.8);
    const oneDay = await defaultRow(`from=${day(0)}&to=${day(0)}`);
    assert.equal(oneDay.sent, 3);
  });

  it('summary echoes the period bounds', async () => {
    const body = await get(`/api/reports/summary?from=${day(0)}&to=${day(1)}`);
    assert.equal(body.from, `${day(0)}T00:00:00.000Z`);
    assert.equal(body.to, `${day(2)}T00:00:00.000Z`);
  });

  it('summary takes times with an offset, to exclusive', async () => {
    // 22:00 UTC of day 0 to 01:00 UTC of day 2: the two sends of day 1, and not the send at
    // 01:00 of day 2, which a millisecond later includes.
    const from = encodeURIComponent(`${day(1)}T00:00:00+02:00`);
    const row = await defaultRow(`from=${from}&to=${day(2)}T01:00:00Z`);
    assert.equal(row.sent, 2);
    const later = await defaultRow(`from=${from}&to=${day(2)}T01:00:00.001Z`);
    assert.equal(later.sent, 3);
  });

  it('summary still takes a preset period', async () => {
    const row = await defaultRow('days=30');
    assert.equal(row.sent, 7);
  });

  it('series of two days or less defaults to hours', async () => {
    const twoDays = await series(`from=${day(0)}&to=${day(1)}`);
    assert.equal(twoDays.bucket, 'hour');
    assert.deepEqual(twoDays.points, [
      `${day(0)}T02:00:00.000Z`,
      `${day(0)}T05:00:00.000Z`,
      `${day(1)}T03:00:00.000Z`,
      `${day(1)}T04:00:00.000Z`,
    ]);
    assert.equal(twoDays.from, `${day(0)}T00:00:00.000Z`);
    assert.equal(twoDays.to, `${day(2)}T00:00:00.000Z`);
  });

  it('series of three days defaults to days', async () => {
    const threeDays = await series(`from=${day(0)}&to=${day(2)}`);
    assert.equal(threeDays.bucket, 'day');
    assert.deepEqual(threeDays.points, [
      `${day(0)}T00:00:00.000Z`,
      `${day(1)}T00:00:00.000Z`,
      `${day(2)}T00:00:00.000Z`,
    ]);
    const hourly = await series(`from=${day(0)}&to=${day(2)}&bucket=hour`);
    assert.equal(hourly.bucket, 'hour');
    assert.equal(hourly.points.length, 5);
  });

  it('breakdowns count the custom period', async () => {
    const body = await get(`/api/reports/breakdowns?from=${day(0)}&to=${day(1)}`);
    const sent = Object.fromEntries(
      body.byRecipientDomain.map((d: { key: string; sent: number }) => [d.key, d.sent]),
    );
    assert.deepEqual(sent, { 'gmail.example': 4, 'outlook.example': 1 });
    assert.equal(body.to, `${day(2)}T00:00:00.000Z`);
  });

  it('summary CSV counts the custom period', async () => {
    const response = await fixture.server.request(
      'GET',
      `/api/reports/summary.csv?from=${day(4)}&to=${day(4)}`,
    );
    assert.equal(response.status, 200);
    const lines = String(response.body).trim().split('\r\n');
    assert.match(lines[1] ?? '', /^default,1,1,0,0,0,0,/);
  });
});

describe('report period errors', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({});
  });

  after(async () => {
    await server?.close();
  });

  const CASES: [string, string, RegExp][] = [
    [
      'from after to',
      'from=2026-11-05&to=2026-11-01',
      /from: must be before to\. Swap .*"2026-11-05"/,
    ],
    [
      'over 366 days',
      'from=2025-01-01&to=2026-02-04',
      /from: starts a period of 400 days, over the maximum of 366\. Move from later/,
    ],
    [
      'days beside from and to',
      'days=7&from=2026-11-01&to=2026-11-30',
      /days: must be left out when from or to is given\. .*\(got "7"\)/,
    ],
    [
      'unparseable date',
      'from=yesterday&to=2026-11-30',
      /from: must be a date such as .*"yesterday"/,
    ],
    ['impossible day', 'from=2026-02-30&to=2026-03-01', /from: must be a date .*"2026-02-30"/],
    [
      'time without offset',
      'from=2026-11-01T10:00:00&to=2026-11-30',
      /from: must be a date such as 2026-12-04, or a time with its UTC offset/,
    ],
    ['to without from', 'to=2026-11-30', /from: is required with to, because a custom period/],
    ['from without to', 'from=2026-11-01', /to: is required with from/],
    ['unknown key', 'form=2026-11-01', /\(query\): Unrecognized key: "form"/],
  ];

  for (const [name, query, message] of CASES) {
    it(`rejects ${name} on every report`, async () => {
      for (const path of ['summary', 'summary.csv', 'series', 'breakdowns']) {
        const response = await server.request('GET', `/api/reports/${path}?${query}`);
        assert.equal(response.status, 400, `${path}?${query}`);
        assert.equal(response.body.error.code, 'invalid_input', path);
        assert.match(response.body.error.message, message, path);
        assert.ok(Array.isArray(response.body.error.details.issues), path);
      }
    });
  }

  it('accepts exactly 366 days', async () => {
    const response = await server.request(
      'GET',
      '/api/reports/summary?from=2025-12-04&to=2026-12-04',
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });

  it('rejects an unknown bucket', async () => {
    const response = await server.request(
      'GET',
      '/api/reports/series?from=2026-11-01&to=2026-11-02&bucket=week',
    );
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /bucket: must be day or hour \(got "week"\)/);
  });
});
