import { invalidInput } from '../errors.js';

/** Parses a numeric id from a route parameter, or throws a 400 that names it. */
export function idParam(value: unknown, name = 'id'): number {
  const id = typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) {
    throw invalidInput(
      `Invalid ${name} ${JSON.stringify(value)}: must be a positive whole number`,
      { [name]: value },
    );
  }
  return id;
}
