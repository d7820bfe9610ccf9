/** A mail provider that the manager's SMTP server or a sending service may belong to. */
export interface MailProvider {
  id: string;
  name: string;
  /** The SPF include the provider documents for its customers' domains. */
  spfInclude: string;
  /** Other include targets that also authorize the provider's servers. */
  otherIncludes: string[];
  /** DKIM selectors the provider signs with on the customer's domain. */
  dkimSelectors: string[];
  /** Patterns of the provider's SMTP submission hosts. */
  smtpHosts: RegExp[];
}

export const GOOGLE: MailProvider = {
  id: 'google',
  name: 'Google Workspace / Gmail',
  spfInclude: '_spf.google.com',
  // The names _spf.google.com includes: a record listing them authorizes Google's servers too.
  otherIncludes: ['_netblocks.google.com', '_netblocks2.google.com', '_netblocks3.google.com'],
  dkimSelectors: ['google'],
  smtpHosts: [/^smtp\.gmail\.com$/, /^smtp-relay\.gmail\.com$/, /(^|\.)google\.com$/],
};

export const MICROSOFT: MailProvider = {
  id: 'microsoft365',
  name: 'Microsoft 365',
  spfInclude: 'spf.protection.outlook.com',
  otherIncludes: [],
  dkimSelectors: ['selector1', 'selector2'],
  smtpHosts: [/^smtp\.office365\.com$/, /(^|\.)outlook\.com$/, /(^|\.)office365\.com$/],
};

export const ZOHO: MailProvider = {
  id: 'zoho',
  name: 'Zoho Mail',
  spfInclude: 'zoho.com',
  otherIncludes: [
    'zohomail.com',
    'one.zoho.com',
    'zoho.eu',
    'spf.zoho.eu',
    'zoho.in',
    'zcsend.net',
  ],
  // Zoho lets each customer name the selector, so only extra selectors can find its key.
  dkimSelectors: [],
  smtpHosts: [/^smtp(pro)?\.zoho\.[a-z.]+$/, /^smtp\.zohomail\.[a-z.]+$/],
};

export const SMTP_PROVIDERS: MailProvider[] = [GOOGLE, MICROSOFT, ZOHO];

/** Mailchimp Transactional (Mandrill): SPF include, envelope domain and DKIM selectors. */
export const MANDRILL = {
  spfInclude: 'spf.mandrillapp.com',
  envelopeDomain: 'mandrillapp.com',
  /** The shared legacy key, then the CNAME pair required for domains since March 2024. */
  dkimSelectors: ['mandrill', 'mte1', 'mte2'],
  cnameTargets: { mte1: 'dkim1.mandrillapp.com', mte2: 'dkim2.mandrillapp.com' } as Record<
    string,
    string
  >,
};

/** Include targets reported in `SpfReport.includes` when found anywhere in the tree. */
export const KNOWN_INCLUDES = new Set<string>([
  MANDRILL.spfInclude,
  ...SMTP_PROVIDERS.flatMap((provider) => [provider.spfInclude, ...provider.otherIncludes]),
  'servers.mcsv.net',
  'sendgrid.net',
  'mailgun.org',
  'amazonses.com',
  'mail.zendesk.com',
  '_spf.salesforce.com',
  'spf.mtasv.net',
]);

export function providerForHost(host: string): MailProvider | undefined {
  const normalized = host.trim().toLowerCase().replace(/\.$/, '');
  return SMTP_PROVIDERS.find((provider) =>
    provider.smtpHosts.some((pattern) => pattern.test(normalized)),
  );
}

/** Providers whose SPF include appears among `includes`. */
export function providersInIncludes(includes: string[]): MailProvider[] {
  const found = new Set(includes);
  return SMTP_PROVIDERS.filter((provider) =>
    [provider.spfInclude, ...provider.otherIncludes].some((include) => found.has(include)),
  );
}
