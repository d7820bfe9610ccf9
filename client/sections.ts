import { errorMessage, isAbortError } from './api.js';
import { showStatus } from './dom.js';

/** Runs `load` with the section marked busy, and shows its error in `statusTarget` on failure. */
export async function loadSection(
  section: HTMLElement,
  statusTarget: HTMLElement,
  signal: AbortSignal,
  load: () => Promise<void>,
): Promise<boolean> {
  section.setAttribute('aria-busy', 'true');
  try {
    await load();
    return true;
  } catch (error) {
    // An aborted load was replaced or cleared, also when its own 401 ended the session.
    if (signal.aborted || isAbortError(error)) return false;
    showStatus(statusTarget, errorMessage(error), 'error');
    return false;
  } finally {
    section.setAttribute('aria-busy', 'false');
  }
}
