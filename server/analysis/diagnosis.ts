import type { PlatformIdentity } from '../checks/types.js';
import type { Cause, DetectedMethod, DkimSignature, MessageAnalysis } from './types.js';

/** A hop slower than this many seconds gets a `received.slow_hop` cause. */
export const SLOW_HOP_SECONDS = 600;

type Findings = Omit<MessageAnalysis, 'diagnosis' | 'analyzedAt'>;

const METHOD_LABELS: Record<DetectedMethod, string> = {
  default: "the default method (the platform's shared relay)",
  smtp: "the smtp method (the manager's own SMTP server)",
  mandrill: 'the mandrill method (Mandrill)',
  unknown: 'a sending method the headers do not identify',
};

export function methodLabel(method: DetectedMethod): string {
  return METHOD_LABELS[method];
}

function spfPart(spf: Findings['spf'], fromDomain: string): string {
  if (!spf.evaluated) return 'SPF was not evaluated because no client IP is known';
  if (spf.result !== 'pass') return `SPF is ${spf.result} for ${spf.domain}`;
  if (!spf.aligned) return `SPF passes for ${spf.domain}, which does not align with ${fromDomain}`;
  return `SPF passes for ${spf.domain}`;
}

function dkimPart(dkim: DkimSignature[], fromDomain: string): string {
  if (dkim.length === 0) return 'the message has no DKIM signature';
  return dkim
    .map((signature) => {
      if (signature.result !== 'pass') {
        return `the DKIM signature of ${signature.domain} is ${signature.result} (${signature.reason ?? 'no reason given'})`;
      }
      if (!signature.aligned) {
        return `the DKIM signature of ${signature.domain} passes but does not align with ${fromDomain}`;
      }
      return `the DKIM signature of ${signature.domain} passes`;
    })
    .join('; ');
}

/** Describes the change, per method, that makes DMARC pass for the From domain. */
function dmarcFix(findings: Findings, platform: PlatformIdentity, fromDomain: string): string {
  const brokenAligned = findings.dkim.find(
    (signature) => signature.aligned && signature.result !== 'pass',
  );
  if (brokenAligned && findings.method.method !== 'default') {
    return `Fixing the DKIM signature of ${brokenAligned.domain}, which would align, fixes DMARC: see its cause below.`;
  }
  switch (findings.method.method) {
    case 'default':
      return `The default method sends through the platform's relay, which authenticates only the platform's domains (${platform.envelopeDomain} for SPF, ${platform.dkimDomain} for DKIM): put the platform's address ${platform.fromAddress} in From with the manager's address in Reply-To, or switch the account to its own SMTP server or to Mandrill.`;
    case 'mandrill':
      return `Set up ${fromDomain} in Mandrill: publish the mte1 and mte2 DKIM CNAME records so that Mandrill signs with d=${fromDomain}.`;
    case 'smtp':
      return `Make the manager's SMTP server sign with DKIM for ${fromDomain}, and authorize it in the SPF record of ${fromDomain}.`;
    case 'unknown':
      return `Make the server that sends for ${fromDomain} sign with DKIM for ${fromDomain}, or authorize it in the SPF record of ${fromDomain}.`;
  }
}

function dmarcCauses(findings: Findings, platform: PlatformIdentity): Cause[] {
  const { dmarc, spf, dkim, method } = findings;
  const fromDomain = findings.from.domain;
  if (!fromDomain) return [];
  if (dmarc.result === 'none') {
    return [
      {
        code: 'dmarc.no_record',
        message: `${fromDomain} publishes no DMARC record. Gmail, Yahoo and Microsoft require one of bulk senders; publish at least "v=DMARC1; p=none" at _dmarc.${fromDomain}.`,
      },
    ];
  }
  if (dmarc.result === 'temperror') {
    return [
      {
        code: 'dmarc.temperror',
        message: `The DMARC record of ${fromDomain} could not be read (DNS error): receivers retry or defer the message.`,
      },
    ];
  }
  if (dmarc.result !== 'fail') return [];
  const failedChecks = `${spfPart(spf, fromDomain)}; ${dkimPart(dkim, fromDomain)}.`;
  const fault = `Sending method at fault: ${methodLabel(method.method)}.`;
  const fix = dmarcFix(findings, platform, fromDomain);
  if (method.method === 'default' && dmarc.policy !== 'none') {
    const spfDomain = spf.domain ?? platform.envelopeDomain;
    const dkimDomains = dkim.map((signature) => signature.domain).join(', ') || 'none';
    return [
      {
        code: `dmarc.${dmarc.policy}_unaligned`,
        message: `${fromDomain} publishes p=${dmarc.policy}, and neither the platform's SPF domain (${spfDomain}) nor its DKIM domain (${dkimDomains}) aligns with it, so receivers that enforce DMARC ${dmarc.policy === 'reject' ? 'reject' : 'quarantine'} this message. ${fault} ${fix}`,
      },
    ];
  }
  if (dmarc.policy === 'reject' || dmarc.policy === 'quarantine') {
    const action = dmarc.policy === 'reject' ? 'reject it' : 'put it in the spam folder';
    return [
      {
        code: `dmarc.${dmarc.policy}_unaligned`,
        message: `${fromDomain} publishes p=${dmarc.policy} and no SPF or DKIM result passes aligned with it, so receivers that enforce DMARC ${action}: ${failedChecks} ${fault} ${fix}`,
      },
    ];
  }
  return [
    {
      code: 'dmarc.fail_not_enforced',
      message: `DMARC fails for ${fromDomain}, but its policy is p=none, so receivers decide on their own and often file such mail as spam: ${failedChecks} ${fault} ${fix}`,
    },
  ];
}

function dkimCauses(findings: Findings): Cause[] {
  const { dkim, method } = findings;
  const signer = methodLabel(method.method);
  if (dkim.length === 0) {
    return [
      {
        code: 'dkim.none',
        message: `The message has no DKIM signature. Receivers require DKIM of bulk senders; make ${signer} sign it.`,
      },
    ];
  }
  const causes: Cause[] = [];
  for (const signature of dkim) {
    const name = `The DKIM signature of ${signature.domain} (selector ${signature.selector})`;
    const keyName = `${signature.selector}._domainkey.${signature.domain}`;
    switch (signature.reasonCode) {
      case undefined:
        break;
      case 'dkim.body_hash_mismatch':
        causes.push({
          code: signature.reasonCode,
          message: `${name} fails because the body hash did not verify: the body changed after signing. A forwarder, mailing list or security gateway that adds a footer or rewrites links does this; if the message went straight from ${signer} to the receiver, that sender changed it after signing.`,
        });
        break;
      case 'dkim.bad_signature':
        causes.push({
          code: signature.reasonCode,
          message: `${name} does not verify with the key at ${keyName}: the key published there is not the key that signed (rotated or copied wrongly), or a signed header changed on the way.`,
        });
        break;
      case 'dkim.key_missing':
        causes.push({
          code: signature.reasonCode,
          message: `${name} fails because no key is published at ${keyName}: publish the public key of the signer (${signer}) there.`,
        });
        break;
      case 'dkim.expired':
        causes.push({
          code: signature.reasonCode,
          message: `${name} has expired${signature.expiresAt ? ` (x= ${signature.expiresAt})` : ''}: ${signature.reason}. Receivers that check the message later treat it as unsigned; the signer should set a longer expiration or none.`,
        });
        break;
      default:
        causes.push({ code: signature.reasonCode, message: `${name} fails: ${signature.reason}.` });
    }
  }
  const fromDomain = findings.from.domain;
  const passing = dkim.filter((signature) => signature.result === 'pass');
  if (fromDomain && passing.length > 0 && !passing.some((signature) => signature.aligned)) {
    causes.push({
      code: 'dkim.unaligned',
      message: `DKIM passes only for ${passing.map((s) => s.domain).join(', ')}, which does not align with the From domain ${fromDomain}, so it does not count for DMARC.`,
    });
  }
  return causes;
}

function spfCauses(findings: Findings): Cause[] {
  const { spf, envelope } = findings;
  if (!spf.evaluated || spf.result === 'pass') {
    if (spf.evaluated && !spf.aligned && findings.from.domain) {
      return [
        {
          code: 'spf.unaligned',
          message: `SPF passes for ${spf.domain}, which does not align with the From domain ${findings.from.domain}, so it does not count for DMARC.`,
        },
      ];
    }
    return [];
  }
  const ip = envelope.ip ?? '';
  const messages: Record<string, string> = {
    fail: `The SPF record of ${spf.domain} does not authorize ${ip} (-all): receivers may reject the message for that alone. Add the sending server to the record.`,
    softfail: `The SPF record of ${spf.domain} does not authorize ${ip} (~all): receivers count it against the message. Add the sending server to the record.`,
    neutral: `The SPF record of ${spf.domain} says nothing about ${ip} (?all), which counts as no authorization.`,
    none: `${spf.domain} publishes no SPF record, so no server is authorized to send for it.`,
    permerror: `The SPF record of ${spf.domain} is broken (permerror: ${spf.explanation}): receivers treat it as a failure. Fix the record.`,
    temperror: `The SPF record of ${spf.domain} could not be read (temperror: ${spf.explanation}): receivers defer the message and retry.`,
  };
  return [
    { code: `spf.${spf.result}`, message: messages[spf.result ?? 'none'] ?? spf.explanation },
  ];
}

function otherCauses(findings: Findings): Cause[] {
  const causes: Cause[] = [];
  if (findings.arc.result === 'fail') {
    causes.push({
      code: 'arc.fail',
      message: `The ARC chain does not verify (${findings.arc.explanation ?? 'no reason given'}), so receivers cannot trust the authentication results that forwarders recorded.`,
    });
  }
  for (const hop of findings.hops) {
    if (hop.delaySeconds !== null && hop.delaySeconds > SLOW_HOP_SECONDS) {
      causes.push({
        code: 'received.slow_hop',
        message: `Hop ${hop.hop} (${hop.by ?? 'unknown server'}) received the message ${Math.round(hop.delaySeconds / 60)} minutes after the previous hop: the message waited in a queue there, perhaps deferred by a receiver.`,
      });
    }
  }
  return causes;
}

function messageCauses(findings: Findings): Cause[] {
  const { addresses } = findings.from;
  if (addresses.length === 0) {
    return [
      {
        code: 'message.no_from',
        message:
          'The message has no From address, so DMARC cannot be applied and most receivers reject it. Check that the whole message was pasted, headers included.',
      },
    ];
  }
  if (addresses.length > 1) {
    return [
      {
        code: 'message.multiple_from',
        message: `The message has ${addresses.length} From addresses (${addresses.join(', ')}); DMARC applies to a single author domain, so receivers that enforce it may reject the message (RFC 7489 6.6.1).`,
      },
    ];
  }
  return [];
}

function notesOf(findings: Findings): Cause[] {
  const notes: Cause[] = [];
  if (!findings.spf.evaluated) {
    notes.push({ code: 'spf.not_evaluated', message: findings.spf.explanation });
  }
  if (findings.hops.length === 0) {
    notes.push({
      code: 'received.none',
      message:
        'The message has no Received fields: it was copied before any server relayed it, so the client IP and the delays are unknown.',
    });
  }
  if (findings.arc.result === 'pass' && findings.dmarc.result === 'fail') {
    notes.push({
      code: 'arc.pass_after_forwarding',
      message: `The ARC chain (${findings.arc.chainLength} sets) passes: a receiver that trusts the forwarder that sealed it may deliver the message despite the DMARC failure.`,
    });
  }
  return notes;
}

function summaryOf(findings: Findings, causes: Cause[]): string {
  const fromDomain = findings.from.domain;
  const label = methodLabel(findings.method.method);
  const first = causes[0];
  if (!fromDomain) return first?.message ?? 'The message has no usable From address.';
  const { dmarc } = findings;
  if (dmarc.result === 'fail' && dmarc.disposition !== 'none') {
    const action = dmarc.disposition === 'reject' ? 'reject' : 'quarantine (spam folder)';
    return `Receivers that enforce DMARC ${action} this message: ${fromDomain} publishes p=${dmarc.policy} and neither SPF nor DKIM passes aligned with it. Sending method at fault: ${label}.`;
  }
  if (dmarc.result === 'pass') {
    if (!first) {
      return `SPF, DKIM and DMARC give receivers no reason to refuse this message: DMARC passes for ${fromDomain}. Sent by ${label}.`;
    }
    return `DMARC passes for ${fromDomain}, so receivers that enforce DMARC accept it, but ${causes.length} problem${causes.length === 1 ? '' : 's'} remain${causes.length === 1 ? 's' : ''}, first: ${first.message} Sent by ${label}.`;
  }
  if (dmarc.result === 'fail') {
    return `DMARC fails for ${fromDomain}, but its p=none policy leaves the decision to each receiver, and many file such mail as spam. Sending method at fault: ${label}.`;
  }
  return first
    ? `${first.message} Sent by ${label}.`
    : `No authentication problem found for ${fromDomain}. Sent by ${label}.`;
}

/**
 * Builds the plain-language diagnosis: the causes, most serious first (the From field, DMARC,
 * DKIM, SPF, ARC, slow hops), the notes and a one-sentence summary naming the sending method.
 */
export function diagnose(
  findings: Findings,
  platform: PlatformIdentity,
): MessageAnalysis['diagnosis'] {
  const causes = [
    ...messageCauses(findings),
    ...dmarcCauses(findings, platform),
    ...dkimCauses(findings),
    ...spfCauses(findings),
    ...otherCauses(findings),
  ];
  return { summary: summaryOf(findings, causes), causes, notes: notesOf(findings) };
}
