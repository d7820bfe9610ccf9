import type { SendState } from '../../db/types.js';

export interface OutgoingMessage {
  /** RFC 5322 Message-ID without angle brackets, shared by all recipients. */
  messageId: string;
  from: { address: string; name?: string };
  replyTo?: string;
  /** The envelope sender (MAIL FROM); SMTP transports only. */
  envelopeFrom: string;
  to: string[];
  subject: string;
  text?: string;
  html?: string;
}

/** What happened to one recipient at the hand-off. */
export interface RecipientOutcome {
  recipient: string;
  /** `unknown` when the provider may have taken the message but its response was lost. */
  state: Extract<SendState, 'accepted' | 'rejected' | 'failed' | 'unknown'>;
  /** Plain words: the server's reply, or what went wrong with the connection. */
  detail: string;
  providerId?: string;
  providerStatus?: string;
  replyCode?: number;
  statusCode?: string;
  /** The SMTP command the server replied to, for rejections. */
  command?: string;
  /** The provider's raw answer, kept on the event. */
  data?: unknown;
}

/**
 * One sending method. `send` resolves with an outcome for every recipient,
 * including connection and authentication failures; it rejects only on bugs.
 */
export interface SendTransport {
  send(message: OutgoingMessage): Promise<RecipientOutcome[]>;
  close?(): void;
}
