import type { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Parses `input` with `schema` or throws a 400 AppError whose message names
 * each invalid field, the value given and what is expected.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  throw new AppError(400, 'invalid_input', `Invalid ${what}: ${summary}`, { issues });
}
