import { mayHaveReachedMandrill, MandrillApiError, type MandrillApi } from '../mandrill/client.js';
import type { MandrillSendResult } from '../mandrill/types.js';
import type { OutgoingMessage, RecipientOutcome, SendTransport } from './types.js';

export interface MandrillSettings {
  apiKey: string;
  subaccount?: string;
}

function outcomeOf(result: MandrillSendResult): RecipientOutcome {
  const base = {
    recipient: result.email,
    providerId: result._id,
    providerStatus: result.status,
    data: result,
  };
  if (result.status === 'rejected' || result.status === 'invalid') {
    const reason = result.reject_reason ?? (result.status === 'invalid' ? 'invalid' : 'unknown');
    return { ...base, state: 'rejected', detail: `Mandrill rejected the recipient: ${reason}` };
  }
  const queued = result.queued_reason ? ` (${result.queued_reason})` : '';
  return {
    ...base,
    state: 'accepted',
    detail: `Mandrill accepted the message: ${result.status}${queued}`,
  };
}

function describeApiError(error: MandrillApiError): string {
  if (error.errorName === 'Invalid_Key') {
    return 'Mandrill rejected the API key (Invalid_Key): check the key in the account settings';
  }
  if (error.errorName === 'NetworkError') return error.message;
  return `Mandrill refused the request (${error.errorName}): ${error.message}`;
}

/** Sends through Mandrill's `messages/send`, one call for all recipients. */
export function createMandrillTransport(
  api: MandrillApi,
  settings: MandrillSettings,
): SendTransport {
  return {
    async send(message: OutgoingMessage): Promise<RecipientOutcome[]> {
      try {
        const results = await api.send(settings.apiKey, {
          from_email: message.from.address,
          from_name: message.from.name,
          to: message.to.map((email) => ({ email, type: 'to' as const })),
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.replyTo ? { 'Reply-To': message.replyTo } : undefined,
          subaccount: settings.subaccount,
          track_opens: true,
          preserve_recipients: false,
          metadata: { message_id: message.messageId },
        });
        const byEmail = new Map(results.map((r) => [r.email.toLowerCase(), r]));
        return message.to.map((recipient) => {
          const result = byEmail.get(recipient.toLowerCase());
          if (result) return outcomeOf({ ...result, email: recipient });
          return {
            recipient,
            state: 'failed' as const,
            detail: 'Mandrill returned no result for this recipient',
          };
        });
      } catch (error) {
        if (!(error instanceof MandrillApiError)) throw error;
        // A call whose response was lost may still have sent the message. The send stays open
        // (unknown), and the poller finds the message by its Message-ID if Mandrill took it.
        const lost = error.errorName === 'NetworkError' && mayHaveReachedMandrill(error);
        return message.to.map((recipient) => ({
          recipient,
          state: lost ? ('unknown' as const) : ('failed' as const),
          detail: lost
            ? `${describeApiError(error)}, so whether Mandrill took the message is not known ` +
              'until a poll finds it'
            : describeApiError(error),
          data: { error: error.errorName, status: error.status, code: error.code },
        }));
      }
    },
  };
}
