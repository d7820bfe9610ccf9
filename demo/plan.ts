import { DEMO_ACCOUNTS, type DemoAccount } from './accounts.js';
import { createRandom, type Random } from './random.js';

/** One planned send request: its account, when it is made and to whom. */
export interface PlannedSend {
  account: DemoAccount;
  at: number;
  to: string[];
  kind: 'manual' | 'automated';
  subject: string;
  text: string;
}

export interface DemoPlan {
  startMs: number;
  endMs: number;
  sends: PlannedSend[];
  /** Recipients that the manager's SMTP server rejects with 550 5.1.1. */
  smtpUnknownRecipients: string[];
  /** Recipients that Mandrill rejects at send, with its reject_reason. */
  mandrillRejects: Record<string, string>;
  /** The number of messages planned, one per recipient. */
  messages: number;
}

export interface PlanOptions {
  /** This many messages, one per recipient; at least 3 per account. */
  messages: number;
  /** Sends are spread over this many days before `endMs`. */
  days: number;
  endMs: number;
  seed?: number;
}

// Made-up shares of mailbox providers among guests' addresses, loosely like consumer mail.
const RECIPIENT_DOMAINS: (readonly [string, number])[] = [
  ['gmail.com', 40],
  ['outlook.com', 12],
  ['hotmail.com', 7],
  ['yahoo.com', 12],
  ['icloud.com', 8],
  ['aol.com', 3],
  ['comcast.net', 3],
  ['gmx.de', 3],
  ['web.de', 2],
  ['proton.me', 2],
  ['btinternet.com', 2],
  ['orange.fr', 2],
  ['guestmail.example', 4],
];

const FIRST_NAMES = [
  'alex',
  'jordan',
  'maria',
  'li',
  'sam',
  'priya',
  'noah',
  'emma',
  'lucas',
  'olivia',
  'mateo',
  'hannah',
  'yuki',
  'omar',
  'chloe',
  'felix',
  'ava',
  'leon',
  'sofia',
  'ben',
];
const LAST_NAMES = [
  'smith',
  'garcia',
  'chen',
  'mueller',
  'johnson',
  'rossi',
  'patel',
  'dubois',
  'kim',
  'novak',
  'silva',
  'brown',
  'tanaka',
  'larsen',
  'okafor',
];

const MANUAL_SUBJECTS = [
  'Your booking at PROPERTY',
  'Re: Check-in time',
  'Directions to PROPERTY',
  'Re: Extra towels',
  'Your invoice from PROPERTY',
];
const AUTOMATED_SUBJECTS = [
  'Your stay at PROPERTY starts in 3 days',
  'How was your stay at PROPERTY?',
  'Your door code for PROPERTY',
  'Payment received: thank you',
  'Last chance: 10% off your next stay',
];

/** Mail is sent mostly in the daytime: a weight for each hour of the day, UTC. */
function hourWeight(ms: number): number {
  const hour = new Date(ms).getUTCHours();
  return hour >= 7 && hour <= 21 ? 1 : 0.15;
}

function plannedTimes(random: Random, count: number, startMs: number, endMs: number): number[] {
  const times: number[] = [];
  while (times.length < count) {
    const at = startMs + random.next() * (endMs - startMs);
    if (random.next() < hourWeight(at)) times.push(Math.floor(at));
  }
  return times.sort((a, b) => a - b);
}

function guestAddress(random: Random, index: number): string {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  const domain = random.weighted(RECIPIENT_DOMAINS);
  return `${first}.${last}${index}@${domain}`;
}

/** The minimum of messages per account, so that each account shows up in the dashboard. */
const MIN_MESSAGES_PER_ACCOUNT = 3;

/**
 * Splits `messages` over the accounts by their share: each gets its share rounded down, and the
 * messages left over go to the largest remainders, so that the counts add up to `messages`.
 * Accounts below the minimum are then raised to it, which adds messages only when `messages`
 * is less than the minimum times the number of accounts.
 */
export function messagesPerAccount(messages: number, accounts: readonly DemoAccount[]): number[] {
  const quotas = accounts.map((account) => messages * account.share);
  const counts = quotas.map(Math.floor);
  let left = messages - counts.reduce((sum, count) => sum + count, 0);
  const byRemainder = quotas
    .map((quota, index) => ({ index, remainder: quota - Math.floor(quota) }))
    .sort((a, b) => b.remainder - a.remainder);
  for (const { index } of byRemainder) {
    if (left <= 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    left -= 1;
  }
  for (const [index, count] of counts.entries()) {
    for (let missing = MIN_MESSAGES_PER_ACCOUNT - count; missing > 0; missing -= 1) {
      // Take the message from the account with the most, when it has some to spare.
      const donor = counts.indexOf(Math.max(...counts));
      const donorCount = counts[donor] ?? 0;
      if (donorCount > MIN_MESSAGES_PER_ACCOUNT) counts[donor] = donorCount - 1;
      counts[index] = (counts[index] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Plans the demo's sends: `messages` recipients (at least 3 per account) over the accounts by
 * their share, at times spread over `days` days with more in the daytime, to one to three guests
 * each. A few addresses are marked as unknown to the manager's server or on Mandrill's denylist,
 * so the stand-ins refuse them. The same options give the same plan.
 */
export function buildDemoPlan(options: PlanOptions): DemoPlan {
  const random = createRandom(options.seed ?? 20261204);
  const startMs = options.endMs - options.days * 86_400_000;
  const sends: PlannedSend[] = [];
  const smtpUnknownRecipients: string[] = [];
  const mandrillRejects: Record<string, string> = {};
  let messages = 0;
  let guest = 0;
  const requests: { account: DemoAccount; to: string[] }[] = [];
  const targets = messagesPerAccount(options.messages, DEMO_ACCOUNTS);
  for (const [index, account] of DEMO_ACCOUNTS.entries()) {
    const target = targets[index] ?? 0;
    let planned = 0;
    while (planned < target) {
      const count = Math.min(
        target - planned,
        random.weighted([
          [1, 70],
          [2, 20],
          [3, 10],
        ] as const),
      );
      const to: string[] = [];
      for (let i = 0; i < count; i += 1) {
        guest += 1;
        const address = guestAddress(random, guest);
        // Every 33rd smtp recipient is unknown to the manager's server and every 90th Mandrill
        // recipient is on Mandrill's denylist, starting early so that a small demo has some.
        const index = planned + i;
        if (account.method === 'smtp' && index % 33 === 2) smtpUnknownRecipients.push(address);
        if (account.method === 'mandrill' && index % 90 === 4) {
          mandrillRejects[address] = random.pick(['hard-bounce', 'unsub', 'spam']);
        }
        to.push(address);
      }
      requests.push({ account, to });
      planned += count;
    }
    messages += planned;
  }
  const times = plannedTimes(random, requests.length, startMs, options.endMs);
  const order = requests.map((request) => ({ request, sortKey: random.next() }));
  order.sort((a, b) => a.sortKey - b.sortKey);
  order.forEach(({ request }, index) => {
    const { account } = request;
    const kind = random.chance(account.automatedShare) ? 'automated' : 'manual';
    const subjects = kind === 'automated' ? AUTOMATED_SUBJECTS : MANUAL_SUBJECTS;
    sends.push({
      account,
      at: times[index] as number,
      to: request.to,
      kind,
      subject: random.pick(subjects).replace('PROPERTY', account.property),
      text: `Hello,\n\nThis is a message from ${account.name} about your stay.\n`,
    });
  });
  return { startMs, endMs: options.endMs, sends, smtpUnknownRecipients, mandrillRejects, messages };
}
