import type { Method } from '../db/types.js';

/** One demo account: a property manager, its sending domain and its share of the mail. */
export interface DemoAccount {
  key: string;
  name: string;
  method: Method;
  sendingAddress: string;
  /** The fraction of the demo's messages this account sends. */
  share: number;
  /** The fraction of its messages that are automated (CRM emailers and rules). */
  automatedShare: number;
  /** Mandrill accounts: the API key on the stand-in, and the webhook key when it has one. */
  mandrillKey?: string;
  webhookKey?: string;
  /** Whether the manager user of the demo manages this account. */
  managed: boolean;
  /** Words for the subjects of its mail. */
  property: string;
}

/**
 * The demo's accounts. Their domains are served by the demo DNS server (see zones.ts): Lakeside
 * Stays is set up well for Mandrill, Harbor Rentals sends through Google Workspace and has no
 * Mandrill records, and Pine Cabins has an SPF typo and no DMARC record.
 */
export const DEMO_ACCOUNTS: DemoAccount[] = [
  {
    key: 'pine',
    name: 'Pine Cabins',
    method: 'default',
    sendingAddress: 'bookings@pinecabins.example',
    share: 0.3,
    automatedShare: 0,
    managed: false,
    property: 'Pine Cabins',
  },
  {
    key: 'harbor-smtp',
    name: 'Harbor Rentals',
    method: 'smtp',
    sendingAddress: 'office@harbor-rentals.example',
    share: 0.3,
    automatedShare: 0.5,
    managed: true,
    property: 'Harbor View',
  },
  {
    key: 'lakeside',
    name: 'Lakeside Stays',
    method: 'mandrill',
    sendingAddress: 'stay@lakeside-stays.example',
    share: 0.27,
    automatedShare: 0.7,
    mandrillKey: 'demo-lakeside-mandrill-key-0001',
    managed: false,
    property: 'Lakeside Lodge',
  },
  {
    key: 'harbor-mandrill',
    name: 'Harbor Rentals Automations',
    method: 'mandrill',
    sendingAddress: 'office@harbor-rentals.example',
    share: 0.13,
    automatedShare: 1,
    mandrillKey: 'demo-harbor-mandrill-key-0002',
    webhookKey: 'demo-harbor-webhook-key',
    managed: true,
    property: 'Harbor View',
  },
];

/** The manager server's login for the smtp account. */
export const SMTP_LOGIN = { user: 'office@harbor-rentals.example', password: 'demo-app-password' };

/** The demo's users. The passwords are printed and shown in the README: this is demo data. */
export const DEMO_USERS = {
  admin: { email: 'admin@desk.example', password: 'demo-admin-password', name: 'Dana Admin' },
  manager: {
    email: 'manager@harbor-rentals.example',
    password: 'demo-manager-password',
    name: 'Morgan Harbor',
  },
  support: {
    email: 'support@desk.example',
    password: 'demo-support-password',
    name: 'Sam Support',
  },
} as const;
