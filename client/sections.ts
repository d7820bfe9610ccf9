import { errorMessage, isAbortError } from './api.js';
import { showStatus } from './dom.js';

/**
 * An error whose cause the page shows elsewhere, such as an invalid period. Its section shows
 * the message as a note, not as a second alert.
 */
export class SectionNotLoaded extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SectionNotLoaded';
  }
}

/**
 * Runs `load` with the section marked busy, and shows its error in `statusTarget` on failure,
 * as a note for a SectionNotLoaded and as an alert for any other error.
 */
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
    const kind = error instanceof SectionNotLoaded ? 'empty' : 'error';
    showStatus(statusTarget, errorMessage(error), kind);
    return false;
  } finally {
    section.setAttribute('aria-busy', 'false');
  }
}
