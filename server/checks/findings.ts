import type { Finding, Severity } from './types.js';

export function finding(code: string, severity: Severity, message: string, fix?: string): Finding {
  return fix === undefined ? { code, severity, message } : { code, severity, message, fix };
}
