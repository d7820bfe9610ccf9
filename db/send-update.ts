import type { Database, Statement } from 'better-sqlite3';
import type { SendPatch } from './types.js';

/** A column a patch may set: its assignment, whether the patch sets it, and the value bound. */
interface PatchColumn {
  assignment: string;
  sets: (patch: SendPatch) => boolean;
  value: (patch: SendPatch) => unknown;
}

/**
 * The patch's fields. A state, provider id or provider status of null or undefined leaves the
 * column as it is. The other fields set theirs to null when they are null. The counters add.
 */
const PATCH_COLUMNS: PatchColumn[] = [
  { assignment: 'state = ?', sets: (p) => p.state != null, value: (p) => p.state },
  { assignment: 'provider_id = ?', sets: (p) => p.providerId != null, value: (p) => p.providerId },
  {
    assignment: 'provider_status = ?',
    sets: (p) => p.providerStatus != null,
    value: (p) => p.providerStatus,
  },
  {
    assignment: 'reply_code = ?',
    sets: (p) => p.replyCode !== undefined,
    value: (p) => p.replyCode,
  },
  {
    assignment: 'status_code = ?',
    sets: (p) => p.statusCode !== undefined,
    value: (p) => p.statusCode,
  },
  { assignment: 'reason = ?', sets: (p) => p.reason !== undefined, value: (p) => p.reason },
  { assignment: 'detail = ?', sets: (p) => p.detail !== undefined, value: (p) => p.detail },
  { assignment: 'opens = opens + ?', sets: (p) => Boolean(p.addOpens), value: (p) => p.addOpens },
  {
    assignment: 'clicks = clicks + ?',
    sets: (p) => Boolean(p.addClicks),
    value: (p) => p.addClicks,
  },
  {
    assignment: 'complaints = complaints + ?',
    sets: (p) => Boolean(p.addComplaints),
    value: (p) => p.addComplaints,
  },
  {
    assignment: 'unsubscribes = unsubscribes + ?',
    sets: (p) => Boolean(p.addUnsubscribes),
    value: (p) => p.addUnsubscribes,
  },
];

/**
 * Builds the UPDATE of a send by a patch. The statement assigns only the columns the patch
 * sets, because SQLite rewrites the entries of every index on an assigned column, even when
 * the value stays the same. One statement is prepared for each set of columns, on first use.
 */
export function sendUpdater(db: Database): (id: number, patch: SendPatch) => void {
  const statements = new Map<number, Statement>();
  const statementFor = (mask: number): Statement => {
    let statement = statements.get(mask);
    if (!statement) {
      const assignments = PATCH_COLUMNS.filter((_, i) => mask & (1 << i)).map(
        (column) => column.assignment,
      );
      assignments.push('updated_at = ?');
      statement = db.prepare(`UPDATE sends SET ${assignments.join(', ')} WHERE id = ?`);
      statements.set(mask, statement);
    }
    return statement;
  };
  return (id, patch) => {
    let mask = 0;
    const values: unknown[] = [];
    PATCH_COLUMNS.forEach((column, i) => {
      if (!column.sets(patch)) return;
      mask |= 1 << i;
      values.push(column.value(patch));
    });
    values.push(patch.updatedAt, id);
    statementFor(mask).run(values);
  };
}
