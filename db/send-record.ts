import type { NewSend, SendPatch, SendRecord } from './types.js';

/** Builds the stored row of a new send: its values, and the column defaults for the rest. */
export function initialSendRecord(send: NewSend): SendRecord {
  return {
    id: 0,
    accountId: send.accountId,
    messageId: send.messageId,
    method: send.method,
    kind: send.kind,
    headerFrom: send.headerFrom,
    replyTo: send.replyTo,
    envelopeFrom: send.envelopeFrom,
    recipient: send.recipient,
    subject: send.subject,
    state: send.state,
    providerId: send.providerId ?? null,
    providerStatus: send.providerStatus ?? null,
    replyCode: null,
    statusCode: null,
    reason: null,
    detail: null,
    opens: 0,
    clicks: 0,
    complaints: 0,
    unsubscribes: 0,
    opensTracked: send.opensTracked ?? false,
    clicksTracked: send.clicksTracked ?? false,
    createdAt: send.createdAt,
    updatedAt: send.createdAt,
  };
}

/**
 * Returns the send after `patch`, as `sends.update` writes it: the state, provider id and status
 * change only when given, the reply code, status code, reason and detail change whenever
 * given (to null too), the counters add up.
 */
export function patchedSendRecord(send: SendRecord, patch: SendPatch): SendRecord {
  return {
    ...send,
    state: patch.state ?? send.state,
    providerId: patch.providerId ?? send.providerId,
    providerStatus: patch.providerStatus ?? send.providerStatus,
    replyCode: patch.replyCode !== undefined ? patch.replyCode : send.replyCode,
    statusCode: patch.statusCode !== undefined ? patch.statusCode : send.statusCode,
    reason: patch.reason !== undefined ? patch.reason : send.reason,
    detail: patch.detail !== undefined ? patch.detail : send.detail,
    opens: send.opens + (patch.addOpens ?? 0),
    clicks: send.clicks + (patch.addClicks ?? 0),
    complaints: send.complaints + (patch.addComplaints ?? 0),
    unsubscribes: send.unsubscribes + (patch.addUnsubscribes ?? 0),
    updatedAt: patch.updatedAt,
  };
}
