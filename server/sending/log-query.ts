import { z } from 'zod';
import type { SendSearch } from '../../db/types.js';
import { ALL_STATES } from '../events/states.js';
import { queryId, queryInteger, queryTime } from '../validation.js';

const STATE_RULE = `must be one of ${ALL_STATES.join(', ')}`;
const state = z.enum(ALL_STATES as [string, ...string[]], STATE_RULE);

/** The page cursor `next` of a previous page: `<created ms>.<send id>`. */
const cursor = z
  .string()
  .regex(/^\d{1,15}\.\d{1,15}$/, 'must be the `next` value of the previous page')
  .transform((value) => {
    const [createdAt, id] = value.split('.').map(Number);
    return { createdAt: createdAt ?? 0, id: id ?? 0 };
  });

/** The message log's filters: every filter is optional, and all given must hold. */
const logFields = z.strictObject({
  limit: queryInteger(1, 500).default(50),
  accountId: queryId().optional(),
  recipient: z.email('must be one email address, such as guest@example.com').optional(),
  recipientDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain such as gmail.com')
    .optional(),
  sender: z.email('must be one email address, such as office@example.com').optional(),
  method: z.enum(['default', 'smtp', 'mandrill'], 'must be default, smtp or mandrill').optional(),
  state: state.optional(),
  everState: state.optional(),
  messageId: z
    .string()
    .trim()
    .min(3, 'must be a Message-ID such as abc@example.com')
    .transform((value) => value.replace(/^<|>$/g, ''))
    .optional(),
  from: queryTime().optional(),
  // An exclusive end: `to=2026-12-04` finds sends before that day.
  to: queryTime().optional(),
  before: cursor.optional(),
});

/** Rejects a period that ends before it starts. */
function checkRange({ from, to }: { from?: number; to?: number }, context: z.RefinementCtx): void {
  // Both ends are parsed already, so a time and a date compare as the instants they mean.
  if (from !== undefined && to !== undefined && from >= to) {
    context.addIssue({
      code: 'custom',
      path: ['from'],
      message:
        'must be before to, which is exclusive. Swap the two values, or set to to the day ' +
        'after the last day to show',
    });
  }
}

/** The message log's query string. */
export const logQuery = logFields.superRefine(checkRange);

/** The CSV export's query string: the log's filters, with up to 100,000 rows. */
export const csvQuery = logFields
  .extend({ limit: queryInteger(1, 100_000).default(10_000) })
  .superRefine(checkRange);

export type LogQuery = z.output<typeof logFields>;

/** Turns a parsed log query into the store's search. */
export function toSearch(query: LogQuery): Omit<SendSearch, 'scope'> {
  return query as Omit<SendSearch, 'scope'>;
}
