import { sql as initial } from './0001-initial.js';
import { sql as access } from './0002-access.js';
import { sql as domainChecks } from './0003-domain-checks.js';
import { sql as mandrillSync } from './0004-mandrill-sync.js';
import { sql as bounces } from './0005-bounces.js';
import { sql as mailboxCursors } from './0006-mailbox-cursors.js';
import { sql as reportAggregates } from './0007-report-aggregates.js';
import { sql as reportCountsInCode } from './0008-report-counts-in-code.js';
import { sql as breakdownDaysAndTracking } from './0009-breakdown-days-and-tracking.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema step in order. Append new steps; never edit one that has shipped. */
export const migrations: Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'access', sql: access },
  { version: 3, name: 'domain-checks', sql: domainChecks },
  { version: 4, name: 'mandrill-sync', sql: mandrillSync },
  { version: 5, name: 'bounces', sql: bounces },
  { version: 6, name: 'mailbox-cursors', sql: mailboxCursors },
  { version: 7, name: 'report-aggregates', sql: reportAggregates },
  { version: 8, name: 'report-counts-in-code', sql: reportCountsInCode },
  { version: 9, name: 'breakdown-days-and-tracking', sql: breakdownDaysAndTracking },
];
