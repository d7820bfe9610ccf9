// Response shapes of the product's JSON API, as the dashboard reads them. The domain check
// types copy server/checks/types.ts, which client/tsconfig.json cannot import because its
// rootDir is client/. The related checks copy server/checks/related/types.ts.

export type SendingMethod = 'default' | 'smtp' | 'mandrill';

export const SENDING_METHODS: readonly SendingMethod[] = ['default', 'smtp', 'mandrill'];

export type RateName =
  'deliveryRate' | 'bounceRate' | 'openRate' | 'clickRate' | 'complaintRate' | 'unsubscribeRate';

export type RateDefinitions = Record<RateName, string>;

/** Counts and rates of one sending method over the report period. Rates are 0..1 or null. */
export interface MethodTotals {
  method: SendingMethod;
  sent: number;
  accepted: number;
  delivered: number;
  deferred: number;
  bounced: number;
  softBounced: number;
  rejected: number;
  failed: number;
  opened: number;
  clicked: number;
  complained: number;
  unsubscribed: number;
  /** The delivered sends whose opens could be seen, which the open rate divides by. */
  openRateBase: number;
  /** The delivered sends whose clicks could be seen, which the click rate divides by. */
  clickRateBase: number;
  deliveryRate: number | null;
  bounceRate: number | null;
  openRate: number | null;
  clickRate: number | null;
  complaintRate: number | null;
  unsubscribeRate: number | null;
  /** The 95% Wilson interval of each rate. */
  intervals: Record<RateName, RateInterval | null>;
}

export interface RateInterval {
  low: number;
  high: number;
}

/** One rate compared between two methods (server/reports/compare.ts). */
export interface RateComparison {
  metric: string;
  a: SendingMethod;
  b: SendingMethod;
  difference: number | null;
  pValue: number | null;
  significant: boolean;
  statement: string;
}

export interface SummaryReport {
  from: string;
  to: string;
  definitions: RateDefinitions;
  methods: MethodTotals[];
  comparisons?: RateComparison[];
}

/** One time bucket of a method's series, where `t` is the ISO start of the bucket. */
export interface SeriesPoint {
  t: string;
  sent: number;
  delivered: number;
  bounced: number;
  opened: number;
  deliveryRate: number | null;
  bounceRate: number | null;
  openRate: number | null;
}

export type SeriesBucket = 'day' | 'hour';

export interface SeriesReport {
  bucket: SeriesBucket;
  from: string;
  to: string;
  series: { method: SendingMethod; points: SeriesPoint[] }[];
}

export type SendState =
  | 'queued'
  | 'accepted'
  | 'delivered'
  | 'deferred'
  | 'soft_bounced'
  | 'bounced'
  | 'rejected'
  | 'failed'
  | 'unknown'
  | 'suppressed';

export interface SendRecord {
  id: string | number;
  messageId?: string;
  accountId: string | number;
  accountName: string;
  method: SendingMethod;
  kind: string;
  recipient: string;
  subject: string;
  state: SendState;
  /** Plain-words outcome, such as the receiving server's reply. */
  detail: string | null;
  /** Bounce reason category, or null. */
  reason: string | null;
  createdAt: string;
  updatedAt: string;
  opens: number;
  clicks: number;
}

export type SpfResult =
  'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';
export type DmarcResult = 'pass' | 'fail' | 'none' | 'temperror' | 'permerror';
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';
export type Outcome = 'deliver' | 'quarantine' | 'reject' | 'at_risk';

export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  fix?: string;
  /** The 1-based index of the term the finding is about, counted after `v=spf1`. */
  position?: number;
}

/** A finding as the `errors` and `warnings` lists of each report show it. */
export interface CodedMessage {
  code: string;
  message: string;
}

export interface FindingLists {
  errors: CodedMessage[];
  warnings: CodedMessage[];
}

/** One SPF record in the include/redirect tree, as fetched. */
export interface SpfNode {
  domain: string;
  /** The record text with its character-strings joined, or null if none was found. */
  record: string | null;
  /** The term of the parent record that led here, absent at the top of the tree. */
  via?: 'include' | 'redirect';
  /** The 1-based position of that term in the parent record. */
  position?: number;
  /** DNS lookups this node's own terms caused. */
  lookups: number;
  voidLookups: number;
  /** Lookups counted in walk order up to the end of this node's subtree. */
  runningLookups?: number;
  /** Void lookups counted in walk order up to the end of this node's subtree. */
  runningVoidLookups?: number;
  /** Set on the node whose own term first goes over 10 lookups or 2 void lookups. */
  limitCrossed?: 'lookups' | 'void';
  children: SpfNode[];
  findings: Finding[];
}

export interface SpfReport extends Partial<FindingLists> {
  record: string | null;
  status?: 'valid' | 'none' | 'permerror' | 'temperror';
  lookups: number;
  voidLookups: number;
  tree?: SpfNode | null;
  includes: string[];
  findings: Finding[];
}

export interface DkimSelectorReport {
  selector: string;
  name: string;
  usedBy: string[];
  status: 'valid' | 'missing' | 'revoked' | 'invalid' | 'temperror';
  keyType?: 'rsa' | 'ed25519';
  keyBits?: number;
  record?: string;
  findings: Finding[];
}

export interface DkimReport extends Partial<FindingLists> {
  selectors: DkimSelectorReport[];
  findings: Finding[];
}

export interface DmarcReport extends Partial<FindingLists> {
  record: string | null;
  recordDomain: string | null;
  organizationalDomain: string;
  inherited: boolean;
  policy: DmarcPolicy | null;
  subdomainPolicy: DmarcPolicy | null;
  pct: number;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  findings: Finding[];
}

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
  dmarc: { result: DmarcResult; policy: DmarcPolicy | null };
  outcome: Outcome;
  reasons: string[];
  fixes: string[];
  /** The DNS records to publish so that this method passes. */
  records?: RecordToPublish[];
  /** Google's, Yahoo's and Microsoft's sender requirements, checked for this method. */
  requirements?: RequirementCheck[];
}

/** One DNS record to publish, where `value` is exactly the record's content. */
export interface RecordToPublish {
  type: 'TXT' | 'CNAME';
  name: string;
  value: string;
  note: string;
  /** Whether it replaces a record published now (never a second SPF record). */
  replaces: boolean;
}

export type RequirementStatus = 'pass' | 'fail' | 'unknown';

export interface RequirementCheck {
  id: 'spf_pass' | 'dkim_pass' | 'dmarc_record' | 'dmarc_alignment' | 'reverse_dns';
  label: string;
  /** Receivers that require it of bulk senders, such as `Google`. */
  receivers: string[];
  status: RequirementStatus;
  detail: string;
}

export interface DomainCheck {
  domain: string;
  checkedAt: string;
  spf: SpfReport;
  dkim: DkimReport;
  dmarc: DmarcReport;
  methods: Record<SendingMethod, MethodVerdict>;
  /** MX, reverse DNS, blocklists, MTA-STS, TLS-RPT and BIMI. Older servers do not send it. */
  related?: RelatedReport;
  /** Set when the domain does not exist in DNS (NXDOMAIN), most often a typing mistake. */
  missing?: { code: string; message: string; fix?: string };
}

export type UserRole = 'admin' | 'support' | 'manager';

export interface SessionUser {
  id: string | number;
  email: string;
  name: string;
  role: UserRole;
}

/** The body of GET and POST /api/session. */
export interface Session {
  user: SessionUser;
  /** ISO timestamp after which the server no longer accepts the session cookie. */
  expiresAt: string;
}

/** The body of GET /api/setup. */
export interface SetupStatus {
  /** True while no user exists, so no one can log in yet. */
  needed: boolean;
  /** The command line that creates the first admin. */
  command: string;
}

/** One MX record and what its exchange resolves to. */
export interface MxHost {
  exchange: string;
  priority: number;
  status: 'ok' | 'unresolved' | 'ip_literal' | 'temperror';
  /** The A and AAAA addresses, IPv4 first. */
  addresses: string[];
  /** The CNAME target when the exchange is an alias, else null. */
  cname: string | null;
}

export interface MxReport {
  status: 'records' | 'null' | 'implicit' | 'none' | 'temperror';
  hosts: MxHost[];
  /** The names mail is delivered to: the MX exchanges, or the domain itself for `implicit`. */
  deliveryHosts: string[];
}

/** Forward-confirmed reverse DNS of one sending IP. */
export interface ReverseDnsResult {
  ip: string;
  ptrName: string;
  status: 'pass' | 'mismatch' | 'none' | 'temperror';
  hostnames: string[];
  confirmedName: string | null;
}

/** The answer of one DNS blocklist for one IP. */
export interface BlocklistResult {
  ip: string;
  zone: string;
  query: string;
  status: 'listed' | 'not_listed' | 'unknown';
  /** The A records returned, which name the listing reason or the refusal. */
  codes: string[];
  reason: string | null;
}

export interface MtaStsReport {
  status:
    | 'none'
    | 'invalid'
    | 'valid'
    | 'policy_missing'
    | 'policy_invalid'
    | 'fetch_failed'
    | 'temperror';
  records: string[];
  id: string | null;
  policy: {
    version: string;
    mode: 'enforce' | 'testing' | 'none';
    mx: string[];
    maxAge: number;
  } | null;
  /** Each delivery host and the policy pattern that covers it, or null when none does. */
  coverage: { host: string; pattern: string | null }[];
}

export interface TlsRptReport {
  status: 'none' | 'valid' | 'invalid' | 'temperror';
  records: string[];
  rua: string[];
}

export interface BimiReport {
  status: 'none' | 'valid' | 'invalid' | 'declined' | 'temperror';
  name: string;
  record: string | null;
  /** The logo URL (`l=`), which the dashboard never loads. */
  logo: string | null;
  /** The Verified Mark Certificate URL (`a=`). */
  authority: string | null;
  /** Whether DMARC is at enforcement, or null when the server did not check it. */
  dmarcEnforced: boolean | null;
}

export interface RelatedReport extends Partial<FindingLists> {
  mx: MxReport;
  reverseDns: ReverseDnsResult[];
  blocklists: BlocklistResult[];
  mtaSts: MtaStsReport;
  tlsRpt: TlsRptReport;
  bimi: BimiReport;
  findings: Finding[];
}

/** Mandrill's SPF or DKIM status of a domain beside the last DNS check (server/mandrill/sender-view.ts). */
export interface AuthComparison {
  mandrill: { valid: boolean; error: string | null; validAfter: string | null };
  dns: boolean | null;
  disagreement: string | null;
}

export interface SenderDomainView {
  domain: string;
  sendingDomain: boolean;
  createdAt: string;
  lastTestedAt: string | null;
  verifiedAt: string | null;
  validSigning: boolean;
  spf: AuthComparison;
  dkim: AuthComparison;
  notes: string[];
}

export interface SenderDomainsResponse {
  accountId: number;
  sendingDomain: string;
  sendingDomainListed: boolean;
  dnsCheckedAt: string | null;
  domains: SenderDomainView[];
  notes: string[];
}

export interface RejectEntry {
  email: string;
  reason: string;
  meaning: string;
  detail: string;
  createdAt: string;
  lastEventAt: string;
  expiresAt: string | null;
  expired: boolean;
  sender: string | null;
}

export interface RejectsResponse {
  accountId: number;
  entries: RejectEntry[];
  truncated: boolean;
}

export interface AccountSummary {
  id: number;
  name: string;
  sendingAddress: string;
  method: SendingMethod;
}

/** The result of POST /api/analyze (server/analysis/types.ts; documented in docs/analyze.md). */
export interface AnalysisCause {
  code: string;
  message: string;
}

export interface AnalysisHop {
  hop: number;
  from: string | null;
  by: string | null;
  with: string | null;
  ip: string | null;
  at: string | null;
  delaySeconds: number | null;
}

export interface AnalysisDkimSignature {
  domain: string;
  selector: string;
  result: string;
  aligned: boolean;
  algorithm: string | null;
  keyBits?: number;
  reason?: string;
  reasonCode?: string;
  signedAt: string | null;
  expiresAt: string | null;
}

export interface MessageAnalysis {
  analyzedAt: string;
  from: { address: string | null; domain: string | null; addresses: string[] };
  envelope: {
    sender: string | null;
    senderSource: string;
    ip: string | null;
    ipSource: 'given' | 'received' | 'none';
    ipHop: number | null;
    helo: string | null;
  };
  spf: {
    evaluated: boolean;
    result: string | null;
    domain: string | null;
    aligned: boolean;
    explanation: string;
  };
  dkim: AnalysisDkimSignature[];
  dmarc: {
    result: string;
    policy: string | null;
    domain: string | null;
    record: string | null;
    pct: number | null;
    alignment: { spf: string | null; dkim: string | null };
    disposition: 'none' | 'quarantine' | 'reject';
    explanation: string;
  };
  arc: { result: string; chainLength: number; explanation: string | null };
  hops: AnalysisHop[];
  method: { method: 'default' | 'smtp' | 'mandrill' | 'unknown'; evidence: string[] };
  diagnosis: { summary: string; causes: AnalysisCause[]; notes: AnalysisCause[] };
}

/** A stored bounce, as GET /api/bounces lists it (db/types.ts BounceRecord). */
export interface BounceView {
  id: number;
  receivedAt: string;
  source: string;
  kind: string;
  accountId: number | null;
  subject: string | null;
  recipients: {
    address: string | null;
    status: string | null;
    diagnostic: string | null;
    reason: string;
    hardBounce: boolean;
    sendId: number | null;
    matchedBy: string | null;
  }[];
  matched: number;
}
