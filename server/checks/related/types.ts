import type { Resolver } from '../../dns/types.js';
import type { Finding } from '../types.js';

/** Fetches the MTA-STS policy text of a domain, or returns null when the server responds with 404. */
export type MtaStsPolicyFetcher = (domain: string) => Promise<string | null>;

export interface RelatedOptions {
  /** DNS blocklist zones to query, such as `zen.example-dnsbl.org`. None by default. */
  dnsblZones?: string[];
  /**
   * Fetches `https://mta-sts.<domain>/.well-known/mta-sts.txt`. The default is an HTTPS GET
   * with certificate checks and a 5-second timeout (see `fetchMtaStsPolicyOverHttps`).
   */
  fetchMtaStsPolicy?: MtaStsPolicyFetcher;
}

/** The DMARC policy that applies to the domain, as the DMARC check found it. */
export interface DmarcPolicyInput {
  /** `p`, or `sp` for a subdomain that inherits it. Null when no usable record exists. */
  policy: 'none' | 'quarantine' | 'reject' | null;
  pct: number;
}

export interface RelatedInput {
  domain: string;
  /**
   * The IPs that send the domain's mail, for reverse DNS and blocklist checks. A promise lets
   * the domain's own checks start before the IPs are known.
   */
  sendingIps: string[] | PromiseLike<string[]>;
  resolver: Resolver;
  options?: RelatedOptions;
  /**
   * The DMARC policy for the BIMI requirement, which is not checked when this is absent. A
   * promise lets the BIMI lookup start before the DMARC check ends. It should not reject,
   * because `checkRelated` does not await it when it rejects an invalid blocklist zone first.
   */
  dmarcPolicy?: DmarcPolicyInput | null | PromiseLike<DmarcPolicyInput | null | undefined>;
}

/** One MX record and what its exchange resolves to. */
export interface MxHost {
  exchange: string;
  priority: number;
  /** `ok`: has addresses; `unresolved`: no A or AAAA; `ip_literal`: the exchange is an address. */
  status: 'ok' | 'unresolved' | 'ip_literal' | 'temperror';
  /** The A and AAAA addresses, IPv4 first. */
  addresses: string[];
  /** The CNAME target when the exchange is an alias (RFC 2181 10.3 forbids it), else null. */
  cname: string | null;
}

export interface MxReport {
  /**
   * `records`: MX records exist; `null`: the RFC 7505 null MX; `implicit`: no MX, so mail goes to
   * the domain's own address (RFC 5321 5.1); `none`: no MX and no address; `temperror`.
   */
  status: 'records' | 'null' | 'implicit' | 'none' | 'temperror';
  /** The MX records sorted by priority, then by exchange; empty unless `status` is `records`. */
  hosts: MxHost[];
  /** The names mail is delivered to: the MX exchanges, or the domain itself for `implicit`. */
  deliveryHosts: string[];
}

/** Forward-confirmed reverse DNS of one sending IP. */
export interface ReverseDnsResult {
  ip: string;
  /** The name queried, under in-addr.arpa or ip6.arpa. */
  ptrName: string;
  /** `pass`: a PTR name resolves back to the IP; `mismatch`: none does; `none`: no PTR. */
  status: 'pass' | 'mismatch' | 'none' | 'temperror';
  /** The PTR names, as returned. */
  hostnames: string[];
  /** The PTR name that resolves back to the IP, when `status` is `pass`. */
  confirmedName: string | null;
}

/** The answer of one DNS blocklist for one IP. */
export interface BlocklistResult {
  ip: string;
  zone: string;
  /** The name queried: the reversed IP under the zone (RFC 5782 2.1). */
  query: string;
  /** `unknown`: the list did not give a usable answer (refused, hijacked or failed). */
  status: 'listed' | 'not_listed' | 'unknown';
  /** The A answers, which name the listing reason or the refusal. */
  codes: string[];
  /** The TXT text of a listing, when the list publishes one. */
  reason: string | null;
}

/** The MTA-STS policy as parsed, with the fields of RFC 8461 3.2. */
export interface MtaStsPolicy {
  version: string;
  mode: 'enforce' | 'testing' | 'none';
  mx: string[];
  maxAge: number;
}

export interface MtaStsMxCoverage {
  host: string;
  /** The policy pattern that matches the host, or null when none does. */
  pattern: string | null;
}

export interface MtaStsReport {
  /**
   * `none`: no record; `invalid`: a record that senders ignore (RFC 8461 3.1); `valid`: a
   * record whose policy was fetched and parsed; `policy_missing`: the policy URL answered 404;
   * `policy_invalid`, `fetch_failed`, `temperror`: the policy could not be used.
   */
  status:
    | 'none'
    | 'invalid'
    | 'valid'
    | 'policy_missing'
    | 'policy_invalid'
    | 'fetch_failed'
    | 'temperror';
  /** The `v=STSv1` TXT records found. */
  records: string[];
  id: string | null;
  policy: MtaStsPolicy | null;
  /** Each delivery host and the policy pattern that covers it; empty without a policy. */
  coverage: MtaStsMxCoverage[];
}

export interface TlsRptReport {
  status: 'none' | 'valid' | 'invalid' | 'temperror';
  /** The `v=TLSRPTv1` TXT records found. */
  records: string[];
  /** The report destinations, `mailto:` or `https:` URIs. */
  rua: string[];
}

export interface BimiReport {
  status: 'none' | 'valid' | 'invalid' | 'declined' | 'temperror';
  /** The name queried: `default._bimi.<domain>`. */
  name: string;
  record: string | null;
  /** The logo URL (`l=`), which is never fetched. */
  logo: string | null;
  /** The Verified Mark Certificate URL (`a=`), which is never fetched. */
  authority: string | null;
  /** Whether DMARC is at enforcement; null when the DMARC policy was not given. */
  dmarcEnforced: boolean | null;
}

export interface RelatedReport {
  mx: MxReport;
  reverseDns: ReverseDnsResult[];
  blocklists: BlocklistResult[];
  mtaSts: MtaStsReport;
  tlsRpt: TlsRptReport;
  bimi: BimiReport;
  /** Every part's findings, in the order mx, reverse DNS, blocklists, MTA-STS, TLS-RPT, BIMI. */
  findings: Finding[];
}

/** A part's result with the findings it produced. */
export interface PartResult<T> {
  result: T;
  findings: Finding[];
}
