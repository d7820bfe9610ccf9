import type { RelatedOptions, RelatedReport } from './related/types.js';
import type { Resolver } from '../dns/types.js';

/** RFC 7208 section 2.6 results. */
export type SpfResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';

/** RFC 7489 DMARC results of one message's identifiers. */
export type DmarcResult = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';

export type SendingMethod = 'default' | 'smtp' | 'mandrill';

export type Severity = 'error' | 'warning' | 'info';

/** One problem or observation, with a stable code so that verdicts never match on text. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  fix?: string;
  /** The 1-based index of the term the finding is about, counted after `v=spf1`. */
  position?: number;
}

/** One SPF record in the include/redirect tree, as fetched. */
export interface SpfNode {
  domain: string;
  /** The record text with its character-strings joined (RFC 7208 3.3), or null if none was found. */
  record: string | null;
  /** The term of the parent record that led here; absent at the top of the tree. */
  via?: 'include' | 'redirect';
  /** The 1-based position of that term in the parent record. */
  position?: number;
  /** DNS lookups this node's own terms caused (include, a, mx, ptr, exists, redirect). */
  lookups: number;
  voidLookups: number;
  /** Lookups counted in walk order up to the end of this node's subtree (RFC 7208 4.6.4). */
  runningLookups?: number;
  /** Void lookups counted in walk order up to the end of this node's subtree. */
  runningVoidLookups?: number;
  /** Set on the node whose own term first goes over 10 lookups or 2 void lookups. */
  limitCrossed?: 'lookups' | 'void';
  children: SpfNode[];
  findings: Finding[];
}

export interface SpfReport {
  record: string | null;
  /**
   * Outcome of the record for any client IP: `valid`, `none` (no record), or the
   * permerror/temperror that some branch of the tree causes.
   */
  status?: 'valid' | 'none' | 'permerror' | 'temperror';
  /** Total DNS-querying terms over the whole tree, against the limit of 10 (RFC 7208 4.6.4). */
  lookups: number;
  voidLookups: number;
  tree: SpfNode | null;
  /** Provider includes recognized anywhere in the tree, such as `spf.mandrillapp.com`. */
  includes: string[];
  findings: Finding[];
}

export interface DkimSelectorReport {
  selector: string;
  /** The name queried: `<selector>._domainkey.<domain>`. */
  name: string;
  /** Methods or providers that sign with this selector, e.g. `mandrill`. */
  usedBy: string[];
  status: 'valid' | 'missing' | 'revoked' | 'invalid' | 'temperror';
  keyType?: 'rsa' | 'ed25519';
  keyBits?: number;
  record?: string;
  /** The name the selector's CNAME points to, when it is one (e.g. Mandrill's `dkim1.mandrillapp.com`). */
  cnameTarget?: string;
  findings: Finding[];
}

export interface DkimReport {
  selectors: DkimSelectorReport[];
  findings: Finding[];
}

export interface DmarcReport {
  /** The record that applies: at `_dmarc.<domain>` or at the organizational domain. */
  record: string | null;
  /** The name of the applying record's domain. */
  recordDomain: string | null;
  organizationalDomain: string;
  /**
   * `valid` when a usable record applies, `none` when there is none, `permerror` when the
   * record is unusable or there are several, `temperror` when the lookup failed.
   */
  status?: 'valid' | 'none' | 'permerror' | 'temperror';
  /** True when the record came from the organizational domain (RFC 7489 6.6.3). */
  inherited: boolean;
  /** The policy that applies to mail from `domain`: p, or sp for a subdomain that inherits. */
  policy: 'none' | 'quarantine' | 'reject' | null;
  subdomainPolicy: 'none' | 'quarantine' | 'reject' | null;
  pct: number;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  /** ruf, the failure report URIs as published. */
  ruf?: string[];
  /** fo (RFC 7489 6.3), default `['0']`. */
  failureOptions?: string[];
  /** ri in seconds (RFC 7489 6.3), default 86400. */
  reportInterval?: number;
  /** np, the DMARCbis policy for non-existent subdomains; null when absent or invalid. */
  nonexistentPolicy?: 'none' | 'quarantine' | 'reject' | null;
  /** t=y, the DMARCbis test mode. */
  testing?: boolean;
  /**
   * rua and ruf destinations outside the record's organizational domain, and whether each
   * destination authorizes the reports (RFC 7489 7.1); `authorized` is null when its lookup failed.
   */
  externalReports?: {
    tag: 'rua' | 'ruf';
    uri: string;
    destination: string;
    /** The TXT name that authorizes the reports: `<domain>._report._dmarc.<destination>`. */
    authorizationName: string;
    authorized: boolean | null;
  }[];
  findings: Finding[];
}

/** The identities receivers see for mail sent by one method, and the disposition they apply. */
export interface MethodVerdict {
  method: SendingMethod;
  identities: {
    headerFrom: string;
    envelopeFrom: string;
    dkimDomain: string | null;
    dkimSelector: string | null;
    sendingIps: string[];
  };
  spf: { result: SpfResult; domain: string; aligned: boolean };
  dkim: { result: 'pass' | 'fail' | 'none' | 'temperror'; domain: string | null; aligned: boolean };
  dmarc: { result: DmarcResult; policy: 'none' | 'quarantine' | 'reject' | null };
  /** `deliver`: a DMARC-enforcing receiver accepts it; `quarantine`/`reject`: the disposition it applies. */
  outcome: 'deliver' | 'quarantine' | 'reject' | 'at_risk';
  /** Plain-language reasons a support agent can read to a customer. */
  reasons: string[];
  fixes: string[];
  /** The DNS records to publish so that this method passes, ready to copy. */
  records?: RecordToPublish[];
  /** The big receivers' sender requirements, checked for this method. */
  requirements?: RequirementCheck[];
}

/** One DNS record to publish: `value` is exactly what goes into the record. */
export interface RecordToPublish {
  type: 'TXT' | 'CNAME';
  name: string;
  value: string;
  /** Why, and anything to watch, such as the lookup count after the change. */
  note: string;
  /** Whether it replaces a record published now (never a second SPF record). */
  replaces: boolean;
}

export interface RequirementCheck {
  id: 'spf_pass' | 'dkim_pass' | 'dmarc_record' | 'dmarc_alignment' | 'reverse_dns';
  label: string;
  /** Receivers that require it of bulk senders. */
  receivers: string[];
  status: 'pass' | 'fail' | 'unknown';
  detail: string;
}

/** A finding as the JSON's `errors` and `warnings` lists show it. */
export interface CodedMessage {
  code: string;
  message: string;
}

export interface FindingLists {
  errors: CodedMessage[];
  warnings: CodedMessage[];
}

export interface DomainCheck {
  domain: string;
  checkedAt: string;
  spf: SpfReport & FindingLists;
  dkim: DkimReport & FindingLists;
  dmarc: DmarcReport & FindingLists;
  methods: Record<SendingMethod, MethodVerdict>;
  /** The checks that explain blocking beyond authentication. */
  related: RelatedReport & FindingLists;
  /**
   * The finding that the domain does not exist (NXDOMAIN), most often a typing mistake: shown
   * before anything else, because no record fixes a name that does not exist.
   */
  missing?: Finding;
}

/** The platform's own identities, used for the default method's verdict. */
export interface PlatformIdentity {
  /** The shared From address, e.g. `notifications@mail.platform.example`. */
  fromAddress: string;
  /** The domain of the relay's envelope sender (return path). */
  envelopeDomain: string;
  /** The relay's envelope sender (MAIL FROM), at `envelopeDomain`. */
  envelopeFrom: string;
  /** The platform relay's public sending IPs. */
  relayIps: string[];
  dkimDomain: string;
  dkimSelector: string;
}

export interface CheckOptions {
  resolver: Resolver;
  platform: PlatformIdentity;
  /** The manager's SMTP host, when known, for the smtp method's verdict. */
  smtpHost?: string;
  /** Extra DKIM selectors to probe, e.g. configured for the account. */
  extraSelectors?: string[];
  /** MX, reverse DNS, blocklists, MTA-STS, TLS-RPT and BIMI; see server/checks/related. */
  related?: RelatedOptions;
  now?: () => Date;
}
