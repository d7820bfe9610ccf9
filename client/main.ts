// Entry point: checks the session, then shows the first-run notice, the login form or the
// dashboard, and returns to the login form when the session ends.

import { errorMessage, onSessionEnded } from './api.js';
import { createDashboard } from './dashboard.js';
import { setUpLogin } from './login.js';
import { deleteSession, fetchSession, fetchSetupStatus } from './session.js';
import type { Session, SessionUser } from './types.js';
import { updateQuery } from './url-state.js';
import { setUpUserMenu } from './user-menu.js';
import { currentView, setView } from './view.js';

const SESSION_ENDED_MESSAGE = 'Your session ended; log in again.';

const dashboard = createDashboard();
const login = setUpLogin(enterDashboard, checkSession);
const userMenu = setUpUserMenu(logOut);
let currentUser: SessionUser | null = null;

function enterDashboard(session: Session): void {
  currentUser = session.user;
  userMenu.show(session.user);
  // After a login the focus would stay on the hidden form, and Tab would go on from the middle
  // of the page, so the page title takes it and Tab starts at the header's controls.
  const focusInLogin = document.getElementById('login-view')?.contains(document.activeElement);
  setView('dashboard');
  if (focusInLogin) document.getElementById('site-title')?.focus();
  dashboard.load();
}

/** Removes the dashboard's data and the user from the page before another view shows. */
function leaveDashboard(): void {
  dashboard.clear();
  userMenu.clear();
  currentUser = null;
}

async function logOut(): Promise<void> {
  let message: string | null = null;
  try {
    await deleteSession();
  } catch (error) {
    message = `Logging out failed: ${errorMessage(error)}`;
  }
  leaveDashboard();
  // A shared check left in the URL would run again for the next user who logs in.
  updateQuery({ domain: null, smtpHost: null }, false);
  login.showLogin(message, '');
}

onSessionEnded(() => {
  if (currentView() !== 'dashboard') return;
  const email = currentUser?.email;
  leaveDashboard();
  login.showLogin(SESSION_ENDED_MESSAGE, email);
});

/** Shows the dashboard for a valid session, else the first-run notice or the login form. */
async function checkSession(): Promise<void> {
  let session: Session | null;
  try {
    session = await fetchSession();
  } catch (error) {
    login.showLogin(errorMessage(error));
    return;
  }
  if (session !== null) {
    enterDashboard(session);
    return;
  }
  try {
    const setup = await fetchSetupStatus();
    if (setup.needed) {
      login.showSetup(setup.command);
      return;
    }
  } catch (error) {
    // The login form works without the setup status, and its own error message explains a failure.
    console.warn('Checking whether setup is needed failed', error);
  }
  login.showLogin();
}

void checkSession();
