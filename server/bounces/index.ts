export { parseBounce } from './parse.js';
export { classifySmtpReply, classifyFailure } from './classify.js';
export { ADDRESS_FAILURES } from './status.js';
export type { BounceReason, BounceRecipient, BounceReport, Classification } from './types.js';
