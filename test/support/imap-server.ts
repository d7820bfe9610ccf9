import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeTempDir } from './server.js';
import { createTestCertificate, type TestCertificate } from './tls.js';

/** Debian's dovecot binary; the dovecot-imapd package installs it with the IMAP service. */
export const DOVECOT_BINARY = '/usr/sbin/dovecot';

export interface ImapServer {
  /** The port with implicit TLS (the role of 993). */
  tlsPort: number;
  /** The port that offers STARTTLS (the role of 143). */
  starttlsPort: number;
  user: string;
  password: string;
  /** The certificate the server presents; its PEM file is the CA to trust. */
  certificate: TestCertificate;
  /**
   * Adds a message to a folder (created when missing) by writing it into the Maildir, as a
   * delivery agent does. `flags` such as `['\\Seen']` put it in `cur/` with those flags.
   */
  deliver(folder: string, raw: string, flags?: string[]): void;
  /** Stops dovecot, waits for it to exit and removes its directory. */
  close(): Promise<void>;
}

let deliveries = 0;

/** The user that owns the Maildir and that dovecot's mail processes run as. */
interface MailOwner {
  uid: number;
  gid: number;
}

/**
 * Returns the owner of the test mail. dovecot refuses to access mail as root (uid 0), so a
 * test run as root gives the Maildir to `nobody`; any other user keeps it.
 */
function mailOwner(): MailOwner {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid };
}

/** Gives `file` and the directories from `root` down to it to the mail owner. */
function chownTree(root: string, file: string, owner: MailOwner): void {
  let current = file;
  for (;;) {
    fs.chownSync(current, owner.uid, owner.gid);
    if (current === root || path.dirname(current) === current) return;
    current = path.dirname(current);
  }
}

/** The Maildir++ flag letters of the IMAP system flags (Maildir specification, "info" part). */
const MAILDIR_FLAGS: Record<string, string> = {
  '\\Draft': 'D',
  '\\Flagged': 'F',
  '\\Answered': 'R',
  '\\Seen': 'S',
  '\\Deleted': 'T',
};

/**
 * Starts a private dovecot on 127.0.0.1 with a generated configuration in a temporary
 * directory: one user in a passwd-file, a Maildir under the same directory, and listeners
 * for implicit TLS and STARTTLS with a fresh test certificate. Throws when dovecot is not
 * installed or does not accept connections, so a test that needs it fails rather than
 * passing unseen.
 */
export async function startImapServer(): Promise<ImapServer> {
  if (!fs.existsSync(DOVECOT_BINARY)) {
    throw new Error(
      `${DOVECOT_BINARY} not found: the mailbox tests need a real IMAP server; ` +
        'install it with `apt-get install dovecot-imapd`',
    );
  }
  const dir = makeTempDir('deliverability-imap-');
  // dovecot's unprivileged processes must reach base_dir and the certificate inside it.
  fs.chmodSync(dir, 0o755);
  const certificate = createTestCertificate(dir);
  const user = 'manager';
  const password = 'imap-password-42';
  const owner = mailOwner();
  const mailDir = path.join(dir, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) {
    fs.mkdirSync(path.join(mailDir, sub), { recursive: true });
    chownTree(mailDir, path.join(mailDir, sub), owner);
  }
  fs.mkdirSync(path.join(dir, 'home'));
  chownTree(path.join(dir, 'home'), path.join(dir, 'home'), owner);
  fs.writeFileSync(path.join(dir, 'key.pem'), certificate.key, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'cert.pem'), certificate.cert);
  fs.writeFileSync(path.join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`);
  const [tlsPort, starttlsPort] = [await freePort(), await freePort()];
  const configFile = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(configFile, dovecotConfig(dir, mailDir, owner, [tlsPort, starttlsPort]));

  const child = spawn(DOVECOT_BINARY, ['-F', '-c', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // A test process that exits without close() stops dovecot too (unless it is killed by SIGKILL).
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.removeListener('exit', killOnExit);
      resolve(code);
    }),
  );
  try {
    await waitForPort(starttlsPort, child, () => stderr, path.join(dir, 'dovecot.log'));
    await waitForPort(tlsPort, child, () => stderr, path.join(dir, 'dovecot.log'));
  } catch (error) {
    child.kill('SIGTERM');
    await exited;
    throw error;
  }

  return {
    tlsPort,
    starttlsPort,
    user,
    password,
    certificate,
    deliver(folder, raw, flags = []) {
      deliverToMaildir(mailDir, folder, raw, flags, owner);
    },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function dovecotConfig(dir: string, mailDir: string, owner: MailOwner, ports: number[]) {
  const [tlsPort, starttlsPort] = ports;
  // As root, dovecot runs its helpers as the users the Debian package created. As another
  // user it can only run everything as that user.
  const asRoot = process.getuid?.() === 0;
  const self = os.userInfo().username;
  return `
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
default_internal_user = ${asRoot ? 'dovecot' : self}
default_internal_group = ${asRoot ? 'dovecot' : self}
default_login_user = ${asRoot ? 'dovenull' : self}
first_valid_uid = ${owner.uid}
last_valid_uid = 0
first_valid_gid = ${owner.gid}
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${mailDir}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/home
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${starttlsPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
${asRoot ? '' : '  chroot =\n'}}
${asRoot ? '' : 'service anvil {\n  chroot =\n}\n'}`;
}

/** Returns a port that was free a moment ago; dovecot binds it right after. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(
  port: number,
  child: ChildProcess,
  stderr: () => string,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`dovecot exited (${child.exitCode ?? child.signalCode}): ${details()}`);
    }
    if (await answers(port)) return;
    if (Date.now() > deadline) {
      throw new Error(`dovecot did not listen on 127.0.0.1:${port} within 15 s: ${details()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  function details(): string {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    return `${stderr().trim()}\n${log.trim()}`.trim() || 'no output';
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Writes one message the way a Maildir delivery agent does: into `tmp/` first, then renamed
 * into `new/` (or `cur/` with flags), so dovecot never reads a partial file. Folders other
 * than INBOX are Maildir++ directories named `.<folder>`.
 */
function deliverToMaildir(
  mailDir: string,
  folder: string,
  raw: string,
  flags: string[],
  owner: MailOwner,
): void {
  const folderDir = folder === 'INBOX' ? mailDir : path.join(mailDir, `.${folder}`);
  for (const sub of ['cur', 'new', 'tmp']) {
    fs.mkdirSync(path.join(folderDir, sub), { recursive: true });
    chownTree(mailDir, path.join(folderDir, sub), owner);
  }
  if (folder !== 'INBOX') {
    fs.writeFileSync(path.join(folderDir, 'maildirfolder'), '');
    chownTree(mailDir, path.join(folderDir, 'maildirfolder'), owner);
  }
  deliveries += 1;
  const unique = `${Math.floor(Date.now() / 1000)}.M${deliveries}P${process.pid}.test`;
  const temporary = path.join(folderDir, 'tmp', unique);
  fs.writeFileSync(temporary, raw);
  fs.chownSync(temporary, owner.uid, owner.gid);
  if (flags.length === 0) {
    fs.renameSync(temporary, path.join(folderDir, 'new', unique));
    return;
  }
  const letters = flags
    .map((flag) => {
      const letter = MAILDIR_FLAGS[flag];
      if (!letter) throw new Error(`deliver: no Maildir letter for flag ${flag}`);
      return letter;
    })
    .sort()
    .join('');
  fs.renameSync(temporary, path.join(folderDir, 'cur', `${unique}:2,${letters}`));
}
