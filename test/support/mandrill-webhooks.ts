import { createHmac } from 'node:crypto';

/**
 * Posts a webhook batch signed as Mandrill signs it: base64 HMAC-SHA1 with
 * the webhook key over the URL followed by each form key and value, keys
 * sorted. Written here from Mandrill's documentation rather than imported
 * from the product, so that a mistake in the product's check shows.
 */
export async function postMandrillWebhook(
  url: string,
  key: string,
  events: unknown[] | string,
  options: { signedUrl?: string; signature?: string } = {},
): Promise<{ status: number; body: any }> {
  const mandrillEvents = typeof events === 'string' ? events : JSON.stringify(events);
  const signature =
    options.signature ??
    createHmac('sha1', key)
      .update(`${options.signedUrl ?? url}mandrill_events${mandrillEvents}`)
      .digest('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-mandrill-signature': signature,
    },
    body: new URLSearchParams({ mandrill_events: mandrillEvents }).toString(),
  });
  return { status: response.status, body: await response.json() };
}
