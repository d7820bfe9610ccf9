/**
 * The resolver contract shared by mailauth and our own checks: it behaves like
 * `dns.promises.resolve(name, rrtype)`. TXT answers are `string[][]` (the
 * character-strings of each record); MX answers are `{ exchange, priority }[]`.
 * A missing name or type rejects with an error whose `code` is `ENOTFOUND` or
 * `ENODATA`, never with an empty array, so that void lookups can be counted.
 * Other codes (`ETIMEOUT`, `ESERVFAIL`, `EREFUSED`...) mean a temporary error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Resolver = (name: string, rrtype: string) => Promise<any>;
