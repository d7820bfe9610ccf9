import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

/** One message read from a file, an mbox or a Maildir, with where it came from. */
export interface SourcedMessage {
  raw: Buffer;
  /** The file, with `#N` for the Nth message of an mbox. */
  origin: string;
  /** Bytes of the source read so far, for progress. */
  bytesRead: number;
}

export interface MailSource {
  path: string;
  kind: 'eml' | 'mbox' | 'maildir' | 'directory';
  /** The bytes the source holds, for a progress bar. */
  bytes: number;
}

// The "From " separator line of an mbox (RFC 4155): "From " then the envelope sender and date.
const MBOX_SEPARATOR = /^From \S*/;

/**
 * Works out what `target` is: a Maildir (a directory with `cur` and `new`), a directory of
 * `.eml` files, an mbox (a file whose first line is a `From ` separator) or one message.
 * Throws an Error naming the path when it does not exist or cannot be read.
 */
export function describeSource(target: string): MailSource {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new Error(`${target} does not exist or cannot be read`);
  }
  if (stat.isDirectory()) {
    const isMaildir = ['cur', 'new'].every((sub) => fs.existsSync(path.join(target, sub)));
    const files = isMaildir ? maildirFiles(target) : emlFiles(target);
    const bytes = files.reduce((total, file) => total + fs.statSync(file).size, 0);
    return { path: target, kind: isMaildir ? 'maildir' : 'directory', bytes };
  }
  const head = Buffer.alloc(5);
  const fd = fs.openSync(target, 'r');
  try {
    fs.readSync(fd, head, 0, 5, 0);
  } finally {
    fs.closeSync(fd);
  }
  return {
    path: target,
    kind: head.toString('latin1') === 'From ' ? 'mbox' : 'eml',
    bytes: stat.size,
  };
}

function maildirFiles(dir: string): string[] {
  return ['new', 'cur']
    .flatMap((sub) => fs.readdirSync(path.join(dir, sub)).map((name) => path.join(dir, sub, name)))
    .filter((file) => fs.statSync(file).isFile())
    .sort();
}

function emlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.toLowerCase().endsWith('.eml'))
    .map((name) => path.join(dir, name))
    .sort();
}

/** Yields the messages of a source one at a time, so only one message is in memory at once. */
export async function* readMessages(source: MailSource): AsyncGenerator<SourcedMessage> {
  if (source.kind === 'mbox') {
    yield* readMbox(source.path);
    return;
  }
  const files =
    source.kind === 'eml'
      ? [source.path]
      : source.kind === 'maildir'
        ? maildirFiles(source.path)
        : emlFiles(source.path);
  let bytesRead = 0;
  for (const file of files) {
    const raw = await fs.promises.readFile(file);
    bytesRead += raw.length;
    yield { raw, origin: file, bytesRead };
  }
}

/**
 * Splits an mbox at its `From ` separator lines and undoes the `>From ` quoting of mboxrd
 * (one `>` less on lines of `>` characters followed by `From `), which also reads mboxo files.
 */
async function* readMbox(file: string): AsyncGenerator<SourcedMessage> {
  // latin1 maps each byte to one character, so the message's bytes come back unchanged.
  const stream = fs.createReadStream(file, { encoding: 'latin1' });
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let current: string[] | null = null;
  let index = 0;
  let bytesRead = 0;
  const finish = (): SourcedMessage | null => {
    if (current === null) return null;
    index += 1;
    // The blank line before the next separator belongs to the mbox, not to the message.
    while (current.length > 0 && current.at(-1) === '') current.pop();
    return {
      raw: Buffer.from(`${current.join('\r\n')}\r\n`, 'latin1'),
      origin: `${file}#${index}`,
      bytesRead,
    };
  };
  for await (const line of lines) {
    bytesRead += Buffer.byteLength(line, 'latin1') + 1;
    if (MBOX_SEPARATOR.test(line)) {
      const message = finish();
      if (message) yield message;
      current = [];
      continue;
    }
    current?.push(/^>+From /.test(line) ? line.slice(1) : line);
  }
  const last = finish();
  if (last) yield last;
}
