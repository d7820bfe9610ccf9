/**
 * Date handling of the stand-in's `messages/search`. Mandrill's documentation
 * names `date_from` and `date_to` "start date" and "end date" without a format.
 * The stand-in accepts `YYYY-MM-DD` (a whole UTC day) and `YYYY-MM-DD HH:MM:SS`
 * (one UTC second, the format of every timestamp Mandrill returns), and treats
 * both bounds as inclusive. Anything else is a ValidationError.
 */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const SECOND = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * Parses a search bound into an inclusive range of Unix seconds, or returns
 * null when the value has neither accepted format.
 */
export function parseSearchDate(value: string): { first: number; last: number } | null {
  const day = DAY.exec(value);
  if (day) {
    const first = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) / 1000;
    return Number.isFinite(first) ? { first, last: first + 86_399 } : null;
  }
  const second = SECOND.exec(value);
  if (second) {
    const [, y, mo, d, h, mi, s] = second.map(Number) as number[];
    const at = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) / 1000;
    return Number.isFinite(at) ? { first: at, last: at } : null;
  }
  return null;
}
