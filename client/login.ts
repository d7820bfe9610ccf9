import { ApiError, errorMessage } from './api.js';
import { byId, codeBlock } from './dom.js';
import { createSession } from './session.js';
import type { Session } from './types.js';
import { setView } from './view.js';

export interface LoginView {
  /** Shows the login form with an optional error line, and the email filled in if given. */
  showLogin(message?: string | null, email?: string): void;
  /** Shows the first-run notice with the command that creates the first admin. */
  showSetup(command: string): void;
}

interface LoginElements {
  form: HTMLFormElement;
  email: HTMLInputElement;
  password: HTMLInputElement;
  submit: HTMLButtonElement;
  error: HTMLElement;
}

/**
 * Wires the login form and the first-run notice. A successful login calls `onLoggedIn`, and a
 * failed one shows the server's message. The first-run notice's "Check again" button runs
 * `onSetupCheck` and stays disabled until it settles.
 */
export function setUpLogin(
  onLoggedIn: (session: Session) => void,
  onSetupCheck: () => Promise<void>,
): LoginView {
  const elements: LoginElements = {
    form: byId('login-form', HTMLFormElement),
    email: byId('login-email', HTMLInputElement),
    password: byId('login-password', HTMLInputElement),
    submit: byId('login-submit', HTMLButtonElement),
    error: byId('login-error', HTMLElement),
  };
  const submitState = createSubmitState(elements.submit);
  // The server limits login attempts per address and email, so another email may try at once.
  elements.email.addEventListener('input', () => submitState.unblock());

  elements.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void logIn(elements, submitState, onLoggedIn);
  });
  const setupCheck = byId('setup-check', HTMLButtonElement);
  setupCheck.addEventListener('click', () => {
    setupCheck.disabled = true;
    setupCheck.textContent = 'Checking…';
    void onSetupCheck().finally(() => {
      setupCheck.disabled = false;
      setupCheck.textContent = 'Check again';
    });
  });

  return {
    showLogin(message = null, email) {
      elements.password.value = '';
      if (email !== undefined) elements.email.value = email;
      showError(elements, message);
      setView('login');
      (elements.email.value === '' ? elements.email : elements.password).focus();
    },
    showSetup(command) {
      byId('setup-command', HTMLElement).replaceChildren(codeBlock(command));
      setView('setup');
    },
  };
}

/** Sends one login attempt. The password lives only in a local variable during the request. */
async function logIn(
  elements: LoginElements,
  submitState: SubmitState,
  onLoggedIn: (session: Session) => void,
): Promise<void> {
  const email = elements.email.value.trim();
  if (email === '' || elements.password.value === '') {
    showError(elements, 'Enter your email and password.', true);
    (email === '' ? elements.email : elements.password).focus();
    return;
  }
  const password = elements.password.value;
  elements.password.value = '';
  submitState.setBusy(true);
  try {
    const session = await createSession(email, password);
    showError(elements, null);
    onLoggedIn(session);
  } catch (error) {
    const rejected = error instanceof ApiError && error.code === 'invalid_credentials';
    showError(elements, errorMessage(error), rejected);
    if (error instanceof ApiError && error.status === 429) {
      submitState.blockFor(error.retryAfterSeconds);
    }
    elements.password.focus();
  } finally {
    submitState.setBusy(false);
  }
}

/** Shows `message`, or hides the error line for null. `invalid` marks both fields as wrong. */
function showError(elements: LoginElements, message: string | null, invalid = false): void {
  elements.error.textContent = message ?? '';
  elements.error.hidden = message === null;
  elements.email.setAttribute('aria-invalid', String(invalid));
  elements.password.setAttribute('aria-invalid', String(invalid));
}

interface SubmitState {
  setBusy(busy: boolean): void;
  /** Keeps the button disabled for `seconds`, as the Retry-After header of a 429 response requests. */
  blockFor(seconds: number | null): void;
  unblock(): void;
}

function createSubmitState(button: HTMLButtonElement): SubmitState {
  let busy = false;
  let blockedUntil = 0;
  let timer: number | undefined;
  const render = (): void => {
    button.disabled = busy || Date.now() < blockedUntil;
    button.textContent = busy ? 'Logging in…' : 'Log in';
  };
  return {
    setBusy(value) {
      busy = value;
      render();
    },
    blockFor(seconds) {
      if (seconds === null || seconds <= 0) return;
      blockedUntil = Date.now() + seconds * 1000;
      window.clearTimeout(timer);
      timer = window.setTimeout(render, seconds * 1000);
      render();
    },
    unblock() {
      blockedUntil = 0;
      window.clearTimeout(timer);
      render();
    },
  };
}
