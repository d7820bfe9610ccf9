import { stringify } from 'csv-stringify/sync';

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list: =, +, -,
// @, tab and carriage return), which a recipient's address or a subject could use.
const FORMULA_START = /^[=+\-@\t\r]/;

/** Prefixes a text cell that a spreadsheet would run as a formula with `'`, which shows it as text. */
export function neutralizeCell(value: unknown): unknown {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Writes rows as RFC 4180 CSV with a header line: fields quoted where they hold commas,
 * quotes or line breaks, CRLF line ends, and text cells neutralized against formulas.
 */
export function toCsv(
  columns: { key: string; header: string }[],
  rows: Record<string, unknown>[],
): string {
  const safe = rows.map((row) =>
    Object.fromEntries(columns.map(({ key }) => [key, neutralizeCell(row[key] ?? '')])),
  );
  return stringify(safe, {
    header: true,
    columns,
    record_delimiter: 'windows',
    quoted_match: /[",\r\n]/,
  });
}
