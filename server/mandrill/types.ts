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
