import type ipaddr from 'ipaddr.js';
import type { Resolver } from '../../dns/types.js';
import { finding } from '../findings.js';
import type { Finding } from '../types.js';
import { lookup, normalizeDomain, reversedLabels, sameAddress } from './lookup.js';
import type { PartResult, ReverseDnsResult } from './types.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Returns the reverse DNS name of an address: under in-addr.arpa or ip6.arpa (RFC 3596 2.5). */
export function reverseName(address: Address): string {
  const suffix = address.kind() === 'ipv4' ? 'in-addr.arpa' : 'ip6.arpa';
  return `${reversedLabels(address)}.${suffix}`;
}

/**
 * Checks forward-confirmed reverse DNS of one sending IP: the PTR names of its reverse name,
 * then whether the A (or AAAA) records of some PTR name contain the IP again.
 */
export async function checkReverseDns(
  resolver: Resolver,
  ip: string,
  address: Address,
): Promise<PartResult<ReverseDnsResult>> {
  const ptrName = reverseName(address);
  const base: ReverseDnsResult = {
    ip,
    ptrName,
    status: 'none',
    hostnames: [],
    confirmedName: null,
  };
  const ptr = await lookup<string[]>(resolver, ptrName, 'PTR');
  if (ptr.status === 'temperror') {
    const result: ReverseDnsResult = { ...base, status: 'temperror' };
    return { result, findings: [temperrorFinding(result, `PTR lookup failed (${ptr.code})`)] };
  }
  if (ptr.status === 'void' || ptr.answer.length === 0) {
    return { result: base, findings: [noneFinding(base)] };
  }
  const hostnames = ptr.answer.map(normalizeDomain);
  const rrtype = address.kind() === 'ipv4' ? 'A' : 'AAAA';
  const forward = await Promise.all(
    hostnames.map((name) => lookup<string[]>(resolver, name, rrtype)),
  );
  const confirmed = hostnames.find((_name, index) => {
    const answer = forward[index];
    return answer?.status === 'found' && answer.answer.some((text) => sameAddress(address, text));
  });
  if (confirmed !== undefined) {
    return {
      result: { ...base, status: 'pass', hostnames, confirmedName: confirmed },
      findings: [],
    };
  }
  // A failed forward lookup might have confirmed the IP, so the result is not a mismatch.
  if (forward.some((answer) => answer.status === 'temperror')) {
    const result: ReverseDnsResult = { ...base, status: 'temperror', hostnames };
    return {
      result,
      findings: [temperrorFinding(result, `${rrtype} lookup of a PTR name failed`)],
    };
  }
  const result: ReverseDnsResult = { ...base, status: 'mismatch', hostnames };
  return { result, findings: [mismatchFinding(result, rrtype)] };
}

// Gmail's, Yahoo's and Microsoft's published requirements for bulk senders include a PTR record
// for every sending IP whose name resolves back to that IP.
function noneFinding(result: ReverseDnsResult): Finding {
  return finding(
    'rdns.none',
    'error',
    `Sending IP ${result.ip} has no PTR record (${result.ptrName}); Gmail, Yahoo and Microsoft reject or junk mail from IPs without reverse DNS.`,
    `Ask the owner of ${result.ip} (the hosting or mail provider) to publish a PTR record naming a host whose A record is ${result.ip}.`,
  );
}

function mismatchFinding(result: ReverseDnsResult, rrtype: string): Finding {
  return finding(
    'rdns.mismatch',
    'error',
    `Sending IP ${result.ip} has PTR ${result.hostnames.join(', ')}, but no ${rrtype} record of that name contains ${result.ip}, so reverse DNS is not forward-confirmed; Gmail, Yahoo and Microsoft require it.`,
    `Publish ${rrtype} ${result.ip} for ${result.hostnames[0] ?? 'the PTR name'}, or change the PTR record to a name that has it.`,
  );
}

function temperrorFinding(result: ReverseDnsResult, reason: string): Finding {
  return finding(
    'rdns.temperror',
    'warning',
    `Reverse DNS of sending IP ${result.ip} could not be checked: ${reason}.`,
  );
}
