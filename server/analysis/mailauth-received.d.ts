// mailauth 4.13 ships lib/parse-received.js without type declarations.
declare module 'mailauth/lib/parse-received.js' {
  interface ReceivedPart {
    value: string;
    comment?: string;
  }

  /** One Received header field as mailauth's parser splits it; the date follows the ";". */
  export interface ParsedReceived {
    from?: ReceivedPart;
    by?: ReceivedPart;
    with?: ReceivedPart;
    id?: ReceivedPart;
    for?: ReceivedPart;
    'envelope-from'?: ReceivedPart;
    timestamp?: string;
    full: string;
  }

  /** Parses one whole header line ("Received: ..."); returns false without a colon. */
  export function parseReceived(line: string | Buffer): ParsedReceived | false;
}
