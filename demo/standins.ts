import fs from 'node:fs';
import path from 'node:path';
import { startDnsServer, type DnsServer } from '../test/support/dns-server.js';
import { startMandrillStandIn, type MandrillStandIn } from '../test/support/mandrill-standin.js';
import { startSmtpPeer, type SmtpPeer } from '../test/support/smtp-peers.js';
import { createTestCertificate } from '../test/support/tls.js';
import { corpusDir } from '../test/support/corpus.js';
import { loadCorpusZone, platformZone, TEST_PLATFORM } from '../test/support/zones.js';
import { DEMO_ACCOUNTS, SMTP_LOGIN } from './accounts.js';
import type { DemoPlan } from './plan.js';
import { demoZone } from './zones.js';

/** The loopback stand-ins the demo server talks to, in place of every outside system. */
export interface DemoStandIns {
  dns: DnsServer;
  /** The platform relay of the default method: accepts everything. */
  relay: SmtpPeer;
  /** The manager's own server of the smtp account: STARTTLS, a login, some unknown recipients. */
  managerServer: SmtpPeer;
  mandrill: MandrillStandIn;
  /** The PEM file of the manager server's self-signed certificate. */
  caFile: string;
  /** Whether the corpus zones of real published records were found and are served. */
  corpusLoaded: boolean;
  /** The server's settings that point it at these stand-ins. */
  env: Record<string, string>;
  close(): Promise<void>;
}

function corpusRecords() {
  if (!fs.existsSync(path.join(corpusDir, 'zones', 'real-world.json'))) return null;
  return loadCorpusZone();
}

/**
 * Starts the stand-ins on 127.0.0.1. The DNS server serves the corpus zones (when the corpus is
 * beside the repository), the platform's records and the demo domains. The manager's TLS server
 * rejects the plan's unknown recipients, and the Mandrill stand-in knows each Mandrill account's
 * key and runs on `now`, the server's clock. `dir` receives the certificate's PEM file.
 */
export async function startDemoStandIns(
  plan: DemoPlan,
  dir: string,
  now: () => number,
): Promise<DemoStandIns> {
  const started: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    await Promise.all(started.map((peer) => peer.close()));
  };
  try {
    const corpus = corpusRecords();
    const dns = await startDnsServer([...(corpus ?? []), ...platformZone(), ...demoZone()]);
    started.push(dns);
    const relay = await startSmtpPeer();
    started.push(relay);
    const certificate = createTestCertificate(dir);
    const managerServer = await startSmtpPeer({
      tls: certificate,
      auth: SMTP_LOGIN,
      unknownRecipients: plan.smtpUnknownRecipients,
    });
    started.push(managerServer);
    const mandrillKeys = DEMO_ACCOUNTS.flatMap((account) => account.mandrillKey ?? []);
    const mandrill = await startMandrillStandIn({
      apiKeys: mandrillKeys,
      rejects: plan.mandrillRejects,
      now,
    });
    started.push(mandrill);
    const env: Record<string, string> = {
      DELIVERABILITY_DNS: dns.address,
      DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      DELIVERABILITY_SMTP_CA_FILE: certificate.certFile,
      DELIVERABILITY_SMTP_ALLOW: '127.0.0.1',
      DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
      DELIVERABILITY_PLATFORM_FROM: TEST_PLATFORM.fromAddress,
      DELIVERABILITY_PLATFORM_ENVELOPE_DOMAIN: TEST_PLATFORM.envelopeDomain,
      DELIVERABILITY_PLATFORM_RELAY_IPS: TEST_PLATFORM.relayIps.join(','),
      DELIVERABILITY_PLATFORM_DKIM_DOMAIN: TEST_PLATFORM.dkimDomain,
      DELIVERABILITY_PLATFORM_DKIM_SELECTOR: TEST_PLATFORM.dkimSelector,
      DELIVERABILITY_BOUNCE_SMTP_HOST: '127.0.0.1',
      DELIVERABILITY_BOUNCE_SMTP_PORT: '0',
      // The first poll reaches back over every demo day.
      DELIVERABILITY_MANDRILL_LOOKBACK_HOURS: String(
        Math.ceil((plan.endMs - plan.startMs) / 3_600_000) + 24,
      ),
    };
    return {
      dns,
      relay,
      managerServer,
      mandrill,
      caFile: certificate.certFile,
      corpusLoaded: corpus !== null,
      env,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
