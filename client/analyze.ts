import { ApiError, errorMessage, isAbortError } from './api.js';
import { renderAnalysis } from './analyze-view.js';
import type { MessageAnalysis } from './types.js';

// The server's limit for a raw message (server/analysis/analyze.ts MAX_MESSAGE_BYTES).
const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

interface AnalyzeElements {
  form: HTMLFormElement;
  message: HTMLTextAreaElement;
  file: HTMLInputElement;
  ip: HTMLInputElement;
  submit: HTMLButtonElement;
  error: HTMLElement;
  result: HTMLElement;
}

export interface AnalyzeForm {
  /** Cancels an analysis in flight and empties the form, its error and the result. */
  reset(): void;
}

/** Posts the raw message as the body and returns the analysis, or throws ApiError. */
async function postAnalysis(
  body: Blob | string,
  ip: string,
  signal: AbortSignal,
): Promise<MessageAnalysis> {
  const query = ip ? `?${new URLSearchParams({ ip }).toString()}` : '';
  let response: Response;
  try {
    response = await fetch(`/api/analyze${query}`, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'message/rfc822',
      },
      body,
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ApiError(
      'Could not reach the server. Check the connection and try again.',
      0,
      'network',
    );
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ApiError(
      `The server returned an invalid response (HTTP ${response.status}).`,
      response.status,
      'invalid_response',
    );
  }
  if (!response.ok) {
    const detail = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(
      detail?.message || `The analysis failed (HTTP ${response.status}).`,
      response.status,
      detail?.code ?? 'http_error',
    );
  }
  return parsed as MessageAnalysis;
}

/**
 * Wires the message analysis form: the pasted text or the chosen file (one of the two) goes to
 * POST /api/analyze and the result renders below. A new analysis removes the last result when
 * it starts, so that a failure shows only its message in the form.
 */
export function setUpAnalyze(elements: AnalyzeElements): AnalyzeForm {
  let pending: AbortController | null = null;

  const showError = (message: string | null): void => {
    elements.error.textContent = message ?? '';
    elements.error.hidden = message === null;
  };
  const setBusy = (busy: boolean): void => {
    elements.submit.disabled = busy;
    elements.submit.textContent = busy ? 'Analyzing…' : 'Analyze message';
    elements.form.setAttribute('aria-busy', String(busy));
  };

  const run = async (): Promise<void> => {
    const text = elements.message.value;
    const file = elements.file.files?.[0] ?? null;
    if (text.trim() !== '' && file) {
      // Either could be the one meant, so neither is picked silently.
      elements.result.replaceChildren();
      showError(
        `Both a pasted message and the file ${file.name} are given: clear the text or remove the file.`,
      );
      return;
    }
    const body: Blob | string | null = text.trim() !== '' ? text : file;
    elements.result.replaceChildren();
    if (body === null) {
      showError('Paste a message with its headers, or choose a message file (.eml).');
      elements.message.focus();
      return;
    }
    if (typeof body !== 'string' && body.size > MAX_MESSAGE_BYTES) {
      showError(
        `The file is ${body.size} bytes; at most ${MAX_MESSAGE_BYTES} bytes (25 MiB) can be analyzed.`,
      );
      return;
    }
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    setBusy(true);
    try {
      const analysis = await postAnalysis(body, elements.ip.value.trim(), controller.signal);
      controller.signal.throwIfAborted();
      showError(null);
      renderAnalysis(elements.result, analysis);
    } catch (error) {
      if (!controller.signal.aborted && !isAbortError(error)) showError(errorMessage(error));
    } finally {
      if (pending === controller) {
        pending = null;
        setBusy(false);
      }
    }
  };

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run();
  });
  return {
    reset() {
      pending?.abort();
      pending = null;
      setBusy(false);
      elements.form.reset();
      showError(null);
      elements.result.replaceChildren();
    },
  };
}
