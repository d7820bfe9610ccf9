import { invalidInput } from '../errors.js';

/** Parses a numeric id from a route parameter, or throws a 400 that names it. */
export function idParam(value: unknown, name = 'id'): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw invalidInput(
      `Invalid ${name} ${JSON.stringify(value)}: must be a positive whole number`,
      { [name]: value },
    );
  }
  return id;
}
