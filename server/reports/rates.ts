/** The rates of a method's summary, in the order the dashboard shows them. */
export const RATE_NAMES = [
  'deliveryRate',
  'bounceRate',
  'openRate',
  'clickRate',
  'complaintRate',
  'unsubscribeRate',
] as const;

export type RateName = (typeof RATE_NAMES)[number];

/**
 * What each rate means, shown beside the numbers so that the comparison is read fairly: what
 * it divides by, and what each method lets the product see.
 */
export const RATE_DEFINITIONS: Record<RateName, string> = {
  deliveryRate:
    'Delivered divided by sent. Sent counts the sends that reached a server, whether it took or ' +
    'refused them: all but queued, failed (no connection, TLS or login) and unknown (the process ' +
    'stopped during the hand-off). For default and smtp sends, delivered means the relay or the ' +
    "manager's server accepted the message and no bounce has been seen since, because the product " +
    'sees nothing past that server; for mandrill, it means Mandrill reported the message delivered ' +
    'to the receiving server.',
  bounceRate:
    'Bounced (hard and soft) divided by sent. Recipients refused during the hand-off (an SMTP ' +
    'reply such as 550 5.1.1, or a Mandrill rejection) count as rejected, shown apart.',
  openRate:
    'Sends opened at least once divided by the delivered sends whose opens could be seen, ' +
    'opens by machines (privacy proxies, scanners) left out. Mandrill tracks every message, so ' +
    'its rate is over all delivered sends. Default and smtp sends are tracked only when their ' +
    'account turns open tracking on and the message has HTML, so their rate is over those ' +
    'sends alone (openRateBase) and is missing when there are none. Opens need images to load, ' +
    'so every method undercounts readers by the same mechanism.',
  clickRate:
    'Sends clicked at least once divided by the delivered sends whose clicks could be seen. ' +
    'Mandrill reports clicks when click tracking is on in the Mandrill account, and its rate is ' +
    'over all delivered sends. Default and smtp sends count when their account turns click ' +
    'tracking on and the message has HTML links (clickRateBase); clicks that the redirect ' +
    'recognizes as link scanners are left out, which Mandrill does not do.',
  complaintRate:
    'Sends reported as spam divided by delivered. Mandrill reports the complaints of the ' +
    'feedback loops it is enrolled in. A default or smtp send counts when a feedback-loop report ' +
    "(ARF) reaches the product: at the default method's bounce address, in a manager's bounce " +
    'mailbox or by import. Receivers that send no per-message reports, Gmail among them, add ' +
    'nothing for any method.',
  unsubscribeRate:
    'Sends unsubscribed divided by delivered, for Mandrill only: it reports the use of its own ' +
    'unsubscribe links. The product adds no unsubscribe link to default and smtp mail, so their ' +
    'rate is missing.',
};
