#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { isIP } from 'node:net';
import { z } from 'zod';
import { analyzeMessage, MAX_MESSAGE_BYTES } from './analysis/analyze.js';
import { formatAnalysis } from './analysis/format.js';
import { parseBounce } from './bounces/index.js';
import { failedParts, formatDomainCheck } from './checks/format.js';
import { evaluateSpf } from './checks/index.js';
import { importBounces } from './cli-import.js';
import { recountReports } from './cli-reports.js';
import { resetAdmin, setup } from './cli-setup.js';
import { DatabaseOpenError } from '../db/index.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createResolver, parseDnsServers } from './dns/resolver.js';
import { domainName, runDomainCheck } from './domains/service.js';
import { AppError } from './errors.js';
import { startServer } from './main.js';
import { repoRoot } from './paths.js';
import { SecretError } from './secrets/index.js';
import { parseInput } from './validation.js';

function dnsOption(): Option {
  return new Option(
    '--dns <servers>',
    "DNS servers to query, as HOST:PORT[,HOST:PORT] (default: the system's)",
  ).argParser((value: string) => {
    if (value.trim() === '') {
      throw new InvalidArgumentError(
        "the value is empty: give HOST:PORT[,HOST:PORT], or leave --dns out to use the system's resolvers",
      );
    }
    try {
      return parseDnsServers(value);
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  });
}

function configWith(dns: string[] | undefined, extra: NodeJS.ProcessEnv = {}): Config {
  const config = loadConfig({ ...process.env, ...extra });
  return dns ? { ...config, dnsServers: dns } : config;
}

function print(value: unknown, json: boolean, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

function portOption(value: string): string {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(
      `Invalid port "${value}": must be a whole number from 0 to 65535.`,
    );
  }
  return value;
}

async function serve(options: { port?: string; dns?: string[] }): Promise<void> {
  const config = configWith(options.dns, options.port ? { DELIVERABILITY_PORT: options.port } : {});
  const server = await startServer(config).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
    const problem = error.code === 'EADDRINUSE' ? 'is in use' : 'needs more privileges';
    throw new AppError(
      500,
      'listen_failed',
      `Port ${config.port} on ${config.host} ${problem}: choose another with --port (npm start -- --port ${config.port === 65535 ? 3001 : config.port + 1}) or DELIVERABILITY_PORT`,
    );
  });
  process.stdout.write(`Deliverability Desk is serving the dashboard on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.services.logger.info({ module: 'cli', signal }, 'stopping');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function check(
  domain: string,
  options: { json?: boolean; smtpHost?: string; dns?: string[] },
) {
  const config = configWith(options.dns);
  const result = await runDomainCheck(
    {
      createResolver: () => createResolver({ servers: config.dnsServers }),
      platform: config.platform,
      related: { dnsblZones: config.dnsblZones },
    },
    { domain, smtpHost: options.smtpHost },
  );
  print(result, Boolean(options.json), () => formatDomainCheck(result));
  // A check whose lookups failed is incomplete, so scripts must not read it as a result.
  if (failedParts(result).length > 0) process.exitCode = 1;
}

const spfRequest = z
  .object({
    domain: domainName,
    ip: z
      .string()
      .refine((ip) => isIP(ip) !== 0, 'must be an IPv4 or IPv6 address such as 192.0.2.10'),
    sender: z.email('must be an email address such as bounce@example.com').optional(),
    helo: domainName.optional(),
  })
  .refine((r) => !r.sender || r.sender.split('@')[1]?.toLowerCase() === r.domain, {
    message:
      'must be at DOMAIN, because SPF checks the domain of the sender; leave it out to use postmaster@DOMAIN',
    path: ['sender'],
  });

async function spf(
  domain: string,
  options: { ip: string; sender?: string; helo?: string; json?: boolean; dns?: string[] },
) {
  const request = parseInput(spfRequest, { ...options, domain }, 'spf arguments');
  const config = configWith(options.dns);
  const result = await evaluateSpf({
    ip: request.ip,
    sender: request.sender ?? `postmaster@${request.domain}`,
    helo: request.helo ?? request.domain,
    resolver: createResolver({ servers: config.dnsServers }),
  });
  print(result, Boolean(options.json), () =>
    result.explanation ? `${result.result}: ${result.explanation}` : result.result,
  );
}

async function bounce(file: string, options: { json?: boolean }) {
  const raw = await fs.readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new AppError(
      400,
      'invalid_input',
      `Cannot read ${file}: ${
        error.code === 'ENOENT'
          ? 'no such file'
          : error.code === 'EISDIR'
            ? 'it is a directory; give one message file, or use `import` for a folder'
            : error.message
      }`,
    );
  });
  const report = await parseBounce(raw);
  const recipients = report.recipients.map((r) => ({
    address: r.address,
    status: r.status,
    replyCode: r.replyCode,
    reason: r.reason,
    hardBounce: r.hardBounce,
    diagnostic: r.diagnostic,
  }));
  print({ kind: report.kind, recipients }, Boolean(options.json), () =>
    [
      `kind: ${report.kind}`,
      ...recipients.map(
        (r) =>
          `${r.address ?? '(unknown recipient)'}: ${r.reason} ${r.status ?? ''} ${r.hardBounce ? 'hard' : 'soft'} - ${r.diagnostic ?? ''}`,
      ),
    ].join('\n'),
  );
}

/** Reads a message file, or writes why it cannot and returns null for exit status 2. */
async function readMessageFile(file: string): Promise<Buffer | null> {
  try {
    const stat = await fs.stat(file);
    if (stat.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (!stat.isFile()) throw new Error('it is not a regular file');
    if (stat.size > MAX_MESSAGE_BYTES) {
      process.stderr.write(
        `deliverability: ${file} is ${stat.size} bytes; at most ${MAX_MESSAGE_BYTES} bytes (25 MiB) are analyzed\n`,
      );
      return null;
    }
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory, not a message file'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    process.stderr.write(`deliverability: Cannot read ${file}: ${reason}\n`);
    return null;
  }
}

async function analyze(
  file: string,
  options: { ip?: string; helo?: string; sender?: string; json?: boolean; dns?: string[] },
) {
  const raw = await readMessageFile(file);
  if (!raw) {
    // Invalid input, as for every other command.
    process.exitCode = 2;
    return;
  }
  const config = configWith(options.dns);
  const analysis = await analyzeMessage(raw, {
    resolver: createResolver({ servers: config.dnsServers }),
    platform: config.platform,
    ...(options.ip ? { ip: options.ip } : {}),
    ...(options.helo ? { helo: options.helo } : {}),
    ...(options.sender ? { sender: options.sender } : {}),
  });
  print(analysis, Boolean(options.json), () => formatAnalysis(analysis));
}

/** Reads the version from package.json. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  return String(manifest.version);
}

export function buildProgram(): Command {
  const program = new Command('deliverability')
    .description(
      'Deliverability Desk: domain checks, sends and delivery reports per sending method',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    // Usage errors exit with 2, like invalid values, instead of commander's 1.
    .exitOverride((error) => {
      if (error.exitCode === 0) process.exit(0);
      process.exit(2);
    });
  program
    .command('serve')
    .description('serve the API and the dashboard')
    .option(
      '--port <port>',
      'TCP port to listen on (default: DELIVERABILITY_PORT or 3000)',
      portOption,
    )
    .addOption(dnsOption())
    .action(serve);
  program
    .command('setup')
    .description('create the first admin; reads the password from standard input')
    .requiredOption('--email <address>', "the admin's email, used to log in")
    .option('--name <name>', "the admin's name (default: the email)")
    .action(setup);
  program
    .command('reset-admin')
    .description('make a user an active admin with a new password, read from standard input')
    .requiredOption('--email <address>', "the user's email")
    .action(resetAdmin);
  program
    .command('recount-reports')
    .description(
      'count every send into new report rows, after sends were written outside the server; ' +
        'it holds the write lock until done, so stop the server first on a large database',
    )
    .action(recountReports);
  program
    .command('check')
    .description("check a domain's SPF, DKIM and DMARC and the verdict per sending method")
    .argument('<domain>', 'the sending domain, e.g. example.com')
    .option('--smtp-host <host>', "the manager's SMTP server, for the smtp method's verdict")
    .option('--json', 'print JSON')
    .addOption(dnsOption())
    .action(check);
  program
    .command('spf')
    .description('evaluate SPF (RFC 7208) for one client IP')
    .argument('<domain>', 'the domain whose SPF record is evaluated')
    .requiredOption('--ip <address>', 'the client IP address')
    .option('--sender <address>', 'the envelope sender (MAIL FROM); default postmaster@DOMAIN')
    .option('--helo <name>', 'the HELO/EHLO name; default DOMAIN')
    .option('--json', 'print JSON')
    .addOption(dnsOption())
    .action(spf);
  program
    .command('bounce')
    .description('classify the recipients of one bounce message')
    .argument('<file>', 'a bounce message (.eml)')
    .option('--json', 'print JSON')
    .addOption(dnsOption())
    .action(bounce);
  program
    .command('import')
    .description('import bounce messages from .eml files, mbox files and Maildir folders')
    .argument('<paths...>', 'files and folders to read')
    .option('--account <id>', 'match only sends of this account and file unmatched ones under it')
    .option('--json', 'print the summary as JSON')
    .action(importBounces);
  program
    .command('analyze')
    .description(
      'analyze a raw message: SPF, every DKIM signature, DMARC, ARC, the Received hops and the sending method',
    )
    .argument('<file>', 'the message as received (.eml), headers included')
    .option('--ip <address>', 'the client IP the receiver saw (default: from the Received fields)')
    .option('--helo <name>', 'the HELO/EHLO name (default: from the Received fields)')
    .option('--sender <address>', 'the envelope sender (default: Return-Path, else From)')
    .option('--json', 'print JSON')
    .addOption(dnsOption())
    .action(analyze);
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof AppError || error instanceof ConfigError || error instanceof SecretError) {
      process.stderr.write(`deliverability: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof DatabaseOpenError) {
      process.stderr.write(
        `deliverability: ${error.message}. Set DELIVERABILITY_DATABASE to the path of a SQLite ` +
          'file in a folder this user may write to.\n',
      );
      process.exit(2);
    }
    process.stderr.write(`deliverability: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}

void main();
