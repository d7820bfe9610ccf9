/** Shapes of the Mandrill API (Mailchimp Transactional 1.4) that this product reads. */

export interface MandrillRecipient {
  email: string;
  name?: string;
  type?: 'to' | 'cc' | 'bcc';
}

export interface MandrillMessage {
  from_email: string;
  from_name?: string;
  to: MandrillRecipient[];
  subject: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  subaccount?: string;
  track_opens?: boolean;
  track_clicks?: boolean;
  preserve_recipients?: boolean;
  metadata?: Record<string, string>;
}

/** One recipient's result of `messages/send`. */
export interface MandrillSendResult {
  email: string;
  status: 'sent' | 'queued' | 'scheduled' | 'rejected' | 'invalid';
  reject_reason?: string | null;
  queued_reason?: string | null;
  _id: string;
}

export interface MandrillSmtpEvent {
  ts: number;
  type: string;
  diag: string;
  source_ip?: string;
  destination_ip?: string;
  size?: number;
}

/** One message as `messages/search` and `messages/info` return it. */
export interface MandrillMessageInfo {
  ts: number;
  _id: string;
  sender: string;
  template?: string | null;
  subject: string;
  email: string;
  tags?: string[];
  opens: number;
  opens_detail?: { ts: number; ip?: string; location?: string; ua?: string }[];
  clicks: number;
  clicks_detail?: { ts: number; url: string; ip?: string; location?: string; ua?: string }[];
  state: string;
  metadata?: Record<string, string>;
  subaccount?: string | null;
  smtp_events?: MandrillSmtpEvent[];
  diag?: string;
  bounce_description?: string;
}

export interface MandrillSearchQuery {
  query?: string;
  /** Dates as `YYYY-MM-DD` (UTC). */
  date_from: string;
  date_to: string;
  limit: number;
  senders?: string[];
}

/** SPF or DKIM status of a sender domain, as `senders/domains` returns it. */
export interface MandrillDomainAuthStatus {
  valid: boolean;
  /** When the record was last found valid (`YYYY-MM-DD HH:MM:SS` UTC), or null. */
  valid_after: string | null;
  error: string | null;
}

/** One sender domain of `senders/domains`. Dates are `YYYY-MM-DD HH:MM:SS` UTC. */
export interface MandrillSenderDomain {
  domain: string;
  created_at: string;
  last_tested_at: string | null;
  spf: MandrillDomainAuthStatus;
  dkim: MandrillDomainAuthStatus;
  verified_at: string | null;
  valid_signing: boolean;
}

/** Filters of `rejects/list`. Without `email` it returns up to 1000 entries. */
export interface MandrillRejectsQuery {
  email?: string;
  include_expired?: boolean;
  subaccount?: string;
}

/** One entry of the rejection denylist, as `rejects/list` returns it. */
export interface MandrillReject {
  email: string;
  /** `hard-bounce`, `soft-bounce`, `spam`, `unsub`, `custom` and so on. */
  reason: string;
  detail: string;
  created_at: string;
  last_event_at: string;
  expires_at: string | null;
  expired: boolean;
  sender: { address: string; created_at: string; sent: number; hard_bounces: number } | null;
  subaccount: string | null;
}
