/** Fields nodemailer sets on its errors (nodemailer 10). */
export interface NodemailerError extends Error {
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  rejected?: string[];
  rejectedErrors?: NodemailerError[];
  recipient?: string;
}

const SYSTEM_CODES: Record<string, string> = {
  ECONNREFUSED: 'the server refused the connection (nothing listens on that port)',
  ECONNRESET: 'the server closed the connection unexpectedly',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (temporary DNS error)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ETIMEDOUT: 'the connection timed out',
};

const TLS_CODES: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain contains a self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate is not signed by a trusted authority',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not match the host name',
  ERR_SSL_WRONG_VERSION_NUMBER:
    'the server does not speak TLS on this port (try STARTTLS instead of implicit TLS)',
};

const MAX_REPLY = 300;

/**
 * Shortens a server's reply to one printable line: a manager's server is
 * outside our control, and its text is shown to support staff and stored.
 */
export function summarizeReply(text: string | undefined): string {
  // Control characters (C0, DEL, C1) and line breaks become spaces.
  const line = (text ?? '')
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return line.length > MAX_REPLY ? `${line.slice(0, MAX_REPLY)}…` : line;
}

/** Reads the enhanced status code (RFC 3463) at the start of an SMTP reply text. */
export function enhancedStatus(reply: string | undefined): string | undefined {
  const match = reply?.match(/^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/);
  return match?.[1];
}

/**
 * Describes a connection, TLS or authentication failure in plain words for
 * support staff. `endpoint` is `host:port`.
 */
export function describeFailure(error: NodemailerError, endpoint: string): string {
  const system = error.originalCode ?? error.code ?? '';
  if (error.code === 'EAUTH') {
    const reply = error.response ? ` (server replied: ${summarizeReply(error.response)})` : '';
    return `Authentication failed at ${endpoint}: the server rejected the user name or password${reply}`;
  }
  if (TLS_CODES[system]) return `TLS failed at ${endpoint}: ${TLS_CODES[system]}`;
  if (/certificate|ssl|tls/i.test(error.message) && error.code !== 'ETIMEDOUT') {
    return `TLS failed at ${endpoint}: ${summarizeReply(error.message)}`;
  }
  if (error.code === 'ETIMEDOUT' || error.code === 'ETIMEOUT') {
    return `Connection to ${endpoint} timed out: check the host, port and security setting (implicit TLS on 465, STARTTLS on 587)`;
  }
  if (SYSTEM_CODES[system]) return `Connection to ${endpoint} failed: ${SYSTEM_CODES[system]}`;
  if (error.responseCode) {
    return `The server at ${endpoint} refused the message: ${summarizeReply(error.response ?? error.message)}`;
  }
  return `Sending through ${endpoint} failed: ${summarizeReply(error.message)}`;
}
