import type { BounceReason } from './types.js';

/*
 * Wording that receivers put in their rejections, per reason. The patterns run against the
 * lowercased diagnostic with runs of white space collapsed to one space. They are written
 * from the messages of Gmail, Microsoft 365 and Outlook.com, Yahoo, Postfix, Exim, Sendmail,
 * qmail and the common spam filters, and kept general enough for servers not listed here.
 */

/** One reason and the wording that signals it. */
export interface PhraseRule {
  reason: BounceReason;
  patterns: RegExp[];
}

// Error tokens that one vendor uses with a fixed meaning. They outrank the general wording
// because the general words around them are often vague ("access denied").
export const VENDOR_TOKENS: PhraseRule[] = [
  // Microsoft Exchange and Microsoft 365 NDR tokens from the directory lookup of the recipient.
  { reason: 'userunknown', patterns: [/resolver\.adr\.recip(ient)?notfound/] },
  { reason: 'mesgtoobig', patterns: [/resolver\.rst\.(recip|send)sizelimit/] },
  { reason: 'filtered', patterns: [/resolver\.rst\.(notauthorized|authrequired)/] },
  // Yahoo and AOL reject unknown accounts only after DATA, so the command gives no evidence.
  { reason: 'userunknown', patterns: [/\bthis user doesn't have an? [\w.-]+ account\b/] },
  // Mimecast sends this for a signature match: a virus, or a spam score over its maximum.
  { reason: 'virusdetected', patterns: [/mcspamsignature/] },
];

// Wording stating that the recipient address does not exist.
const USER_UNKNOWN: RegExp[] = [
  /\buser ?unknown\b/,
  /\bunknown (or illegal )?(user|recipient|mailbox|local ?part|e-?mail address)\b/,
  /\b(recipient|address) unknown\b/,
  /\bno such (user|mailbox|recipient|person|address|account)\b/,
  /\b(user|recipient|mailbox|account|address) (was )?not found\b/,
  /\b(user|mailbox|recipient|account|address)\b[^.;]{0,60}\b(does not|doesn't|not) exist/,
  /\b(invalid|illegal|bad) (recipient|mailbox|address|user|destination mailbox)\b/,
  /\bnot a valid (mailbox|recipient|user)\b/,
  /\bmailbox (is )?(unavailable|not available|invalid)\b/,
  /(?<!sender )\baddress rejected\b/,
  /\brecipient address rejected: (access denied|invalid|user)/,
  /\bno mailbox (here )?by that name\b/,
  /\bwasn't found at the destination domain\b/,
  /\baddress lookup failed\b/,
  /\brecipient (is )?not (local|found|exist)/,
  /\bno account by that name\b/,
];

// Ordered: the first rule with a matching pattern decides. More specific causes come before
// the general ones they overlap with, such as a reputation rate limit before a rate limit.
export const PHRASE_RULES: PhraseRule[] = [
  {
    reason: 'notcompliantrfc',
    patterns: [
      /\bnot rfc ?\d{3,4} compliant\b/,
      /\brfc ?5322\b/,
      /\bnot (compliant|conform)\w* (with|to) rfc/,
      /\bmultiple (subject|from|to|date|message-id|sender) headers\b/,
    ],
  },
  {
    reason: 'authfailure',
    patterns: [
      /\bspf\b[^.;]{0,60}\b(fail|record|check|validation|policy|settings|violation)/,
      /\b(fail|failed|failure|violation)\w*\b[^.;]{0,40}\bspf\b/,
      /\bsender policy framework\b/,
      /\bdkim\b[^.;]{0,40}\b(fail|invalid|not valid|missing|required|verification)/,
      /\bdmarc\b/,
      /\bunauthenticated\b/,
      /\bauthentication checks?\b[^.;]{0,30}\bfail/,
      /\brequires? all senders to authenticate\b/,
    ],
  },
  {
    reason: 'requireptr',
    patterns: [
      /\bptr record/,
      /\breverse dns\b/,
      /\brdns\b/,
      /\breverse (host ?name|lookup|mapping)\b/,
      /\bcannot find your (reverse )?host ?name\b/,
      /\bno ptr\b/,
      /\bcannot resolve your (host ?name|address)\b/,
    ],
  },
  {
    reason: 'badreputation',
    patterns: [/\breputation\b/, /\bsender ?score\b/, /\bunexpected volume or user complaints\b/],
  },
  {
    reason: 'rejected',
    patterns: [
      /\bsender (address )?(rejected|denied|refused|blocked|blacklisted)/,
      /\bsender (address )?not (allowed|accepted|pre-approved)/,
      /\bsender verif\w* fail/,
      /\bsender domain (is )?(empty|invalid|not found)/,
      /\bsender address rejected\b/,
      /\bdomain of sender address\b/,
      /\binvalid sender\b/,
      /\bbad sender\b/,
      /\bcan't determine purported responsible address\b/,
      /\bbogus mail from\b/,
      /\bnull sender is not allowed\b/,
      /\bempty envelope senders? not allowed\b/,
      /\bmail from not owned by user\b/,
      /\bbad outbound sender\b/,
      /\bemail address is not verified\b/,
      /\bunroutable sender address\b/,
      /\byour (e-?mail )?address has been blacklisted\b/,
      /\bnot allowed to post to this (mailing )?list\b/,
    ],
  },
  {
    reason: 'blocked',
    patterns: [
      /\bblocked using\b/,
      /\b(listed|found) (in|on|at) [\w.-]*(bl|rbl|spamhaus|spamcop|sorbs|abuseat|barracuda)/,
      /\b(spamhaus|spamcop|sorbs|cbl\.abuseat|barracudacentral|dnsbl|rbl)\b/,
      /\bblock ?list(ed)?\b/,
      /\bblacklist(ed)?\b/,
      /\bclient host (\[[^\]]*\] )?(rejected|blocked)\b/,
      /\bbanned sending ip\b/,
      /\btraffic not accepted from this ip\b/,
      /\b(your|the sending|sender) ip( address)?\b[^.;]{0,60}\b(blocked|not allowed|rejected)/,
      /\bconnections? (will not be|not) accepted from\b/,
      /\bpermanently deferred\b/,
      /\bhelo command rejected\b/,
    ],
  },
  {
    reason: 'speeding',
    patterns: [
      /\brate[ -]limit/,
      /\bthrottl/,
      /\btoo many (messages|e-?mails|mails)\b/,
      /\bsending (too fast|rate)\b/,
      /\b(message|mail|sending|connection) rate\b/,
      /\bexceeded the rate\b/,
      /\bsending (quota|limit)\b/,
    ],
  },
  {
    reason: 'toomanyconn',
    patterns: [
      /\btoo many (connections|concurrent|simultaneous|smtp sessions|sessions)\b/,
      /\bconnection limit\b/,
      /\bmaximum number of connections\b/,
      /\btoo many recipients\b/,
    ],
  },
  {
    reason: 'mailboxfull',
    patterns: [
      /\bmailbox (is )?(full|over ?quota)\b/,
      /\b(inbox|mailbox) (is )?out of storage\b/,
      /\bover ?quota\b/,
      /\bquota (exceeded|exceed|full)\b/,
      /\bexceeded (its|the|his|her|their)? ?(storage|quota)\b/,
      /\bexceeded storage allocation\b/,
      /\binsufficient storage\b/,
      /\bmailbox size limit exceeded\b/,
      /\bquotaexceeded\b/,
      /\bmailbox full\b/,
    ],
  },
  {
    // The status code decides between the two size reasons, see classify.ts.
    reason: 'mesgtoobig',
    patterns: [
      /\bmessage (size |length )?(is )?too (big|large)\b/,
      /\bmessage (size|length) exceeds\b/,
      /\bexceeds? (the )?(fixed )?maximum (message |email |e-mail )?size\b/,
      /\b(message|email) size limit\b/,
      /\bmax(imum)? (message|email) size (exceeded|limit)\b/,
      /\bmessage file too big\b/,
      /\bsize limit exceeded\b/,
    ],
  },
  {
    reason: 'virusdetected',
    patterns: [
      /\bvirus\b/,
      /\binfected\b/,
      /\bmalware\b/,
      /\bmalicious (content|attachment|payload)\b/,
    ],
  },
  {
    reason: 'spamdetected',
    patterns: [
      /\bspam\b/,
      /\bube\b/,
      /\bunsolicited\b/,
      /\bjunk ?mail\b/,
      /\bbulk (e-?mail|mail) filter\b/,
      /\bcontent filter\b/,
      /\bspam score\b/,
    ],
  },
  {
    reason: 'hasmoved',
    patterns: [
      /\bhas (been )?moved\b/,
      /\bno longer on (this )?server\b/,
      /\baddress has changed\b/,
      /\bchanged (his|her|their) e-?mail address\b/,
    ],
  },
  {
    reason: 'suspend',
    patterns: [
      /\baccount (is |has been )?(locked|disabled|suspended|deactivated|frozen|inactive)\b/,
      /\bmailbox (is |has been )?(disabled|suspended|locked|deactivated|inactive)\b/,
      /\b(user|recipient) (is )?(suspended|disabled|deactivated|inactive)\b/,
      /\bemail account that you tried to reach is (disabled|inactive)\b/,
    ],
  },
  // Accepted only with evidence that the address itself was rejected, see classify.ts.
  { reason: 'userunknown', patterns: USER_UNKNOWN },
  {
    reason: 'filtered',
    patterns: [
      /\buser reject/,
      /\b(rejected|blocked) by (the )?recipient\b/,
      /\brecipient (refuses|refused|rejects)\b/,
      /\bmessage filtered\b/,
      /\brejected due to user rules\b/,
      /\bonly accepting mail from specific\b/,
      /\brefused due to recipient preferences\b/,
    ],
  },
  {
    reason: 'hostunknown',
    patterns: [
      /\b(host|domain) (name )?(unknown|not found)\b/,
      /\bunknown (host|domain)\b/,
      /\bno such (host|domain)\b/,
      /\bunrout(e)?able (address|domain)\b/,
      /\bdomain (name )?(does not|doesn't|not) exist/,
      /\bname service error\b/,
      /\bcouldn't find any host named\b/,
      /\bthe domain is not reachable\b/,
      /\bmx records? point to non-existent hosts\b/,
    ],
  },
  {
    reason: 'notaccept',
    patterns: [
      /\bnull mx\b/,
      /\bindicated no smtp service\b/,
      /\bdoes not accept (e-?mail|mail|messages)\b/,
      /\bnot accepting network messages\b/,
    ],
  },
  {
    reason: 'norelaying',
    patterns: [
      /\brelay(ing)? (access )?(denied|not permitted|not allowed|prohibited|refused)\b/,
      /\b(not permitted|unable|not allowed) to relay\b/,
      /\binsecure mail relay\b/,
      /\bwe do not relay\b/,
      /\bisn't in my list of allowed rcpthosts\b/,
      /\bopen relay\b/,
    ],
  },
  {
    reason: 'policyviolation',
    patterns: [
      /\bpolicy violation\b/,
      /\bdenied by policy\b/,
      /\b(rejected|not accepted) for policy reasons\b/,
      /\blocal policy\b/,
      /\bheader error\b/,
      /\b(organization|organizational) (policy|settings)\b/,
      /\bcontent presents a potential\b/,
      /\bmembers-only list\b/,
    ],
  },
  {
    reason: 'contenterror',
    patterns: [
      /\bduplicate header\b/,
      /\b(invalid|malformed|bad|illegal) (message )?header/,
      /\bheader (is )?(invalid|malformed)\b/,
      /\bmime (error|violation|format)\b/,
      /\bline too long\b/,
      /\bcontent-transfer-encoding\b/,
    ],
  },
  {
    reason: 'networkerror',
    patterns: [
      /\bhop count exceeded\b/,
      /\brouting loop\b/,
      /\bmail loop\b/,
      /\bloops back to myself\b/,
      /\btoo many hops\b/,
      /\bnetwork is unreachable\b/,
      /\bno route to host\b/,
      /\bconnection refused\b/,
    ],
  },
  {
    reason: 'expired',
    patterns: [
      /\b(connection|session|conversation|command) timed out\b/,
      /\btimed out while\b/,
      /\bretry time(out)? (exceeded|expired)\b/,
      /\bdelivery time expired\b/,
      /\bmessage expired\b/,
      /\bexpired after\b/,
      /\bcould not be delivered (for|within) \d+/,
    ],
  },
  {
    reason: 'systemfull',
    patterns: [/\binsufficient system (storage|resources)\b/, /\b(disk|system|filesystem) full\b/],
  },
  {
    reason: 'systemerror',
    patterns: [
      /\binternal (system |server )?error\b/,
      /\bsystem error\b/,
      /\blocal error in processing\b/,
      /\b(local )?configuration error\b/,
      /\bmail system error\b/,
    ],
  },
  {
    reason: 'securityerror',
    patterns: [
      /\btls (is )?required\b/,
      /\bmust issue a starttls\b/,
      /\bencryption required\b/,
      /\bauthentication (is )?required\b/,
      /\bauthentication (credentials )?(failed|invalid)\b/,
    ],
  },
  {
    reason: 'syntaxerror',
    patterns: [
      /\bsyntax error\b/,
      /\bcommand (unrecognized|not recognized)\b/,
      /\bbad sequence of commands\b/,
    ],
  },
  {
    reason: 'mailererror',
    patterns: [
      /\bprocmail\b/,
      /\bcommand (died|failed) with status\b/,
      /\b(unknown )?mailer error\b/,
      /\blocal delivery program\b/,
    ],
  },
];

/** Returns the first rule whose wording appears in a normalized text, or null. */
export function matchRule(rules: readonly PhraseRule[], text: string): PhraseRule | null {
  for (const rule of rules) {
    if (rule.patterns.some((pattern) => pattern.test(text))) return rule;
  }
  return null;
}
