export { parseBounce } from './parse.js';
export { classifySmtpReply, classifyFailure } from './classify.js';
export type { BounceReason, BounceRecipient, BounceReport, Classification } from './types.js';
