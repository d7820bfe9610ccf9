// Response shapes of the product's JSON API, as the dashboard reads them. The domain check
// types copy server/checks/types.ts, which client/tsconfig.json cannot import because its
// rootDir is client/.

export type SendingMethod = 'default' | 'smtp' | 'mandrill';

export const SENDING_METHODS: readonly SendingMethod[] = ['default', 'smtp', 'mandrill'];

export interface RateDefinitions {
  deliveryRate: string;
  bounceRate: string;
  openRate: string;
}

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
  deliveryRate: number | null;
  bounceRate: number | null;
  openRate: number | null;
}

export interface SummaryReport {
  from: string;
  to: string;
  definitions: RateDefinitions;
  methods: MethodTotals[];
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

export interface SendsResponse {
  sends: SendRecord[];
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
}

export interface SpfReport {
  record: string | null;
  lookups: number;
  voidLookups: number;
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

export interface DkimReport {
  selectors: DkimSelectorReport[];
  findings: Finding[];
}

export interface DmarcReport {
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
}

export interface DomainCheck {
  domain: string;
  checkedAt: string;
  spf: SpfReport;
  dkim: DkimReport;
  dmarc: DmarcReport;
  methods: Record<SendingMethod, MethodVerdict>;
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
