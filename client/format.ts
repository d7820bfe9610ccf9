import type { Outcome, SendState, SendingMethod, UserRole } from './types.js';

export const METHOD_LABELS: Record<SendingMethod, string> = {
  default: 'Platform default',
  smtp: 'Own SMTP server',
  mandrill: 'Mandrill',
};

export const STATE_LABELS: Record<SendState, string> = {
  queued: 'Queued',
  accepted: 'Accepted',
  delivered: 'Delivered',
  deferred: 'Deferred',
  soft_bounced: 'Soft bounced',
  bounced: 'Bounced',
  rejected: 'Rejected',
  failed: 'Failed',
  unknown: 'Unknown',
  suppressed: 'Held back',
};

export const OUTCOME_LABELS: Record<Outcome, string> = {
  deliver: 'Delivers',
  quarantine: 'Quarantined',
  reject: 'Rejected',
  at_risk: 'At risk',
};

const countFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** Formats a 0..1 rate as a percentage with one decimal, or an em dash for null. */
export function formatPercent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(rate * 100).toFixed(1)}%`;
}

export function formatCount(count: number): string {
  return countFormat.format(count);
}

/** Formats an ISO timestamp in the viewer's locale, or returns it unchanged if unparseable. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

/**
 * Converts a time as Mandrill's API writes it, in UTC without a zone, such as
 * `2026-11-27 23:04:29`, to ISO 8601 with a `Z`. Returns null for any other text.
 */
export function mandrillTimeToIso(text: string): string | null {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/.exec(text);
  if (match === null) return null;
  const iso = `${match[1]}T${match[2]}Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
}

const utcDateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const DAY_MS = 86_400_000;

/**
 * Formats a report period that contains `from` and ends before `to`. A period of whole UTC
 * days, as a custom range is, shows its first and last day, such as "Nov 1, 2026 to Nov 30,
 * 2026 (UTC)". Any other period shows both times in the viewer's time zone.
 */
export function formatPeriod(from: string, to: string): string {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end)) return `${from} to ${to}`;
  if (start % DAY_MS !== 0 || end % DAY_MS !== 0) {
    return `${formatDateTime(from)} to ${formatDateTime(to)}`;
  }
  const last = utcDateFormat.format(new Date(end - DAY_MS));
  return `${utcDateFormat.format(new Date(start))} to ${last} (UTC)`;
}

/** Returns a label for a value from the API, falling back to the raw value for unknown ones. */
export function labelFor<K extends string>(labels: Record<K, string>, value: string): string {
  return Object.hasOwn(labels, value) ? labels[value as K] : value;
}

export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}

export const ROLE_LABELS: Record<UserRole, string> = {
  admin: 'Admin',
  support: 'Support',
  manager: 'Manager',
};
