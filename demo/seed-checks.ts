import type { DemoApi } from './api.js';

/** Runs the stored domain check of each account and returns each account's verdict outcome. */
export async function seedChecks(
  api: DemoApi,
  ids: Map<string, number>,
): Promise<Map<string, string>> {
  const outcomes = new Map<string, string>();
  for (const [key, id] of ids) {
    const response = await api.json('GET', `/api/accounts/${id}/check`);
    const verdict = response.check.methods[response.method];
    outcomes.set(key, verdict?.outcome ?? 'unknown');
  }
  return outcomes;
}

/**
 * Analyzes a message as the receiver saw it, with the platform relay's IP as the client, and
 * returns the diagnosis summary. The analysis is not stored: the dashboard's Analyze view runs
 * its own.
 */
export async function analyzeOne(api: DemoApi, raw: string, ip: string): Promise<string> {
  const analysis = await api.raw(`/api/analyze?ip=${encodeURIComponent(ip)}`, raw);
  return analysis.diagnosis.summary as string;
}
