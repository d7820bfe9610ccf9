import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SecretError } from './errors.js';
import { generateKeySpec, parseKeyring, type SecretKeyring } from './keyring.js';

/** The key sources of loadKeyring, in order of preference. */
export interface KeyringSources {
  /** A key spec `id:base64key[,...]`. An empty or blank spec counts as not given, like an empty variable. */
  keys?: string;
  /** A file that contains a key spec on one line. It must exist. */
  keyFile?: string;
  /** The file used when neither of the above is given, created with a new key when missing. */
  defaultKeyFile: string;
}

/**
 * Loads the keyring from `keys`, else from `keyFile`, else from
 * `defaultKeyFile`. When the default file does not exist, creates it with a
 * new key `k<yyyymmdd>:<base64>` (mode 0600, in a folder created with mode
 * 0700) and returns `created: true`.
 *
 * Throws a SecretError when the spec is invalid, `keyFile` is missing, or a
 * key file is readable or writable by group or others.
 *
 * NOTE: a new default key cannot decrypt values stored under a lost one, so
 * callers should warn when `created` is true and the database already contains
 * encrypted values.
 */
export function loadKeyring(options: KeyringSources): { keyring: SecretKeyring; created: boolean } {
  if (options.keys !== undefined && options.keys.trim() !== '') {
    return { keyring: parseKeyring(options.keys), created: false };
  }
  if (options.keyFile !== undefined) {
    return { keyring: parseKeyFile(options.keyFile), created: false };
  }

  const created = createKeyFileIfMissing(options.defaultKeyFile);
  return { keyring: parseKeyFile(options.defaultKeyFile), created };
}

/** Parses a key file, naming the file in any error about its content. */
function parseKeyFile(file: string): SecretKeyring {
  const spec = readKeyFile(file);
  try {
    return parseKeyring(spec);
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    throw new SecretError(`key file ${file}: ${error.message}`, { keyId: error.keyId });
  }
}

/**
 * Reads the key spec from a file after checking that only its owner can
 * read or write it. The mode is checked on the open descriptor, so the file
 * cannot be swapped between the check and the read.
 */
function readKeyFile(file: string): string {
  let descriptor: number;
  try {
    descriptor = fs.openSync(file, 'r');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) {
      throw new SecretError(`key file ${file} not found; create it or set the keys directly`);
    }
    throw new SecretError(`failed to open key file ${file}: ${describe(error)}`);
  }

  try {
    const stats = fs.fstatSync(descriptor);
    if (!stats.isFile()) {
      throw new SecretError(`key file ${file} is not a regular file`);
    }
    // NOTE: this checks POSIX permission bits only. On Windows, Node reports modes that do not reflect ACLs.
    if ((stats.mode & 0o077) !== 0) {
      const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
      throw new SecretError(
        `key file ${file} is accessible by group or others (mode ${mode}); run \`chmod 600 ${file}\``,
      );
    }

    const spec = fs.readFileSync(descriptor, 'utf8').trim();
    if (/[\r\n]/.test(spec)) {
      throw new SecretError(
        `key file ${file} has more than one line; put all keys on one line as id:base64key,id:base64key`,
      );
    }
    if (spec === '') {
      throw new SecretError(`key file ${file} is empty; expected id:base64key[,id:base64key...]`);
    }
    return spec;
  } finally {
    fs.closeSync(descriptor);
  }
}

/**
 * Creates `file` holding a new key spec unless it exists, and returns whether
 * it did. The key is written and synced to a temporary file first and then
 * hard-linked into place. A link never replaces an existing file, so two
 * processes starting at once agree on one key, and a reader never sees a
 * half-written file.
 */
function createKeyFileIfMissing(file: string): boolean {
  if (fs.existsSync(file)) return false;

  const folder = path.dirname(file);
  // The mode applies only to folders this call creates; an existing folder keeps its own.
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });

  const temporary = path.join(
    folder,
    `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const descriptor = fs.openSync(temporary, 'wx', 0o600);
  try {
    fs.writeFileSync(descriptor, `${generateKeySpec()}\n`);
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }

  try {
    fs.linkSync(temporary, file);
  } catch (error) {
    if (isErrorCode(error, 'EEXIST')) return false;
    throw new SecretError(`failed to create key file ${file}: ${describe(error)}`);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  syncFolder(folder);
  return true;
}

/** Syncs the folder entry of a new file, so the key survives a crash right after creation. */
function syncFolder(folder: string): void {
  let descriptor: number | undefined;
  try {
    descriptor = fs.openSync(folder, 'r');
    fs.fsyncSync(descriptor);
  } catch {
    // Some platforms (Windows) cannot open or sync a folder; the file itself is synced already.
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
