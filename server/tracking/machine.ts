import ipaddr from 'ipaddr.js';

// Security gateways and link scanners that fetch every link of a message before, or instead
// of, the person: Microsoft Safe Links, Proofpoint, Mimecast, Barracuda, Cisco and others,
// and generic HTTP clients. Their clicks tell nothing about the reader.
const SCANNERS =
  /\b(safelinks|proofpoint|urldefense|mimecast|barracuda|ironport|cisco|symantec|messagelabs|trend ?micro|forcepoint|sophos|bitdefender|zscaler|paloalto|fortiguard|bot|crawler|spider|python-requests|go-http-client|curl|wget|headlesschrome)\b/i;

// Apple Mail Privacy Protection fetches every image through Apple's proxies (17.0.0.0/8)
// when the message arrives, whether or not it is read.
const APPLE_PROXIES = ipaddr.parseCIDR('17.0.0.0/8');

/**
 * Tells whether an open or a click came from a machine rather than a reader, with the
 * reason, or null. Such events are kept but not counted as opens or clicks.
 */
export function machineReason(
  kind: 'open' | 'click',
  userAgent: string | undefined,
  ip: string | undefined,
  method: string,
): string | null {
  if (method === 'HEAD') return 'a HEAD request, which a scanner sends to check a link';
  const agent = userAgent ?? '';
  if (agent === '') return 'no user agent, as automated clients send';
  if (SCANNERS.test(agent)) return `the user agent of a scanner or bot (${agent.slice(0, 80)})`;
  if (kind === 'open' && ip && ipaddr.isValid(ip)) {
    let address = ipaddr.parse(ip);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
      address = (address as ipaddr.IPv6).toIPv4Address();
    }
    if (address.kind() === 'ipv4' && address.match(APPLE_PROXIES)) {
      return "Apple Mail Privacy Protection's proxy, which loads images on arrival";
    }
  }
  return null;
}
