import type { ZoneRecord } from '../test/support/dns-server.js';
import { rsaPublicKeyBase64 } from '../test/support/zones.js';

/**
 * DNS records of the demo's customer domains, and the records of Mandrill's DKIM hosts that the
 * corpus zones lack:
 * - lakeside-stays.example is set up well for Mandrill: SPF include, the mte1/mte2 CNAMEs and a
 *   p=reject DMARC record;
 * - harbor-rentals.example is on Google Workspace: Google's MX, SPF include and DKIM key, and
 *   p=quarantine, but no Mandrill records for its second, Mandrill account;
 * - pinecabins.example has an SPF typo (`inclde:`, so SPF is a permerror) and no DMARC record.
 */
export function demoZone(): ZoneRecord[] {
  const mandrillKey = rsaPublicKeyBase64(2048);
  const googleKey = rsaPublicKeyBase64(2048);
  return [
    { name: 'dkim1.mandrillapp.com', type: 'TXT', data: [`v=DKIM1; k=rsa; p=${mandrillKey}`] },
    { name: 'dkim2.mandrillapp.com', type: 'TXT', data: [`v=DKIM1; k=rsa; p=${mandrillKey}`] },

    {
      name: 'lakeside-stays.example',
      type: 'TXT',
      data: ['v=spf1 include:spf.mandrillapp.com -all'],
    },
    {
      name: 'lakeside-stays.example',
      type: 'MX',
      data: { priority: 10, exchange: 'mx.lakeside-stays.example' },
    },
    { name: 'mx.lakeside-stays.example', type: 'A', data: '192.0.2.25' },
    {
      name: 'mte1._domainkey.lakeside-stays.example',
      type: 'CNAME',
      data: 'dkim1.mandrillapp.com',
    },
    {
      name: 'mte2._domainkey.lakeside-stays.example',
      type: 'CNAME',
      data: 'dkim2.mandrillapp.com',
    },
    {
      name: '_dmarc.lakeside-stays.example',
      type: 'TXT',
      data: ['v=DMARC1; p=reject; rua=mailto:dmarc@lakeside-stays.example'],
    },

    { name: 'harbor-rentals.example', type: 'TXT', data: ['v=spf1 include:_spf.google.com ~all'] },
    {
      name: 'harbor-rentals.example',
      type: 'MX',
      data: { priority: 1, exchange: 'smtp.google.com' },
    },
    {
      name: 'google._domainkey.harbor-rentals.example',
      type: 'TXT',
      data: [`v=DKIM1; k=rsa; p=${googleKey}`],
    },
    { name: '_dmarc.harbor-rentals.example', type: 'TXT', data: ['v=DMARC1; p=quarantine'] },

    { name: 'pinecabins.example', type: 'TXT', data: ['v=spf1 a mx inclde:_spf.google.com ~all'] },
    {
      name: 'pinecabins.example',
      type: 'MX',
      data: { priority: 10, exchange: 'mail.pinecabins.example' },
    },
    { name: 'mail.pinecabins.example', type: 'A', data: '192.0.2.40' },
    { name: 'pinecabins.example', type: 'A', data: '192.0.2.40' },
  ];
}
