import { z } from 'zod';

/** A host name (RFC 1123 labels) or an IPv4 address; IPv6 in brackets is not accepted here. */
const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'must be a host name such as smtp.example.com',
  );

/** The API shows secrets as `****` plus, for API keys, the last four characters. */
export const MASK_PREFIX = '****';

const notMasked = (value: string) => !value.startsWith(MASK_PREFIX);
const MASKED_MESSAGE =
  'is the masked value the API shows; send the real secret, or leave the field out to keep the stored one';

const selectorName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
    'must be a DKIM selector such as s1',
  );

/** The folder names IMAP allows: no control characters, at most 255 characters here. */
const folderName = z
  .string()
  .trim()
  .min(1, 'must be a folder name such as INBOX or Bounces')
  .max(255)
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'may not contain control characters');

/**
 * The manager's mailbox, where the smtp method's bounces arrive, read over IMAP. Its
 * password is the flat setting `mailboxPassword`, beside this object, so the secret
 * handling (encryption, masking, merging on update) treats it like every other secret.
 */
export const mailboxSettingsSchema = z.strictObject({
  host: hostName,
  port: z.coerce
    .number({ error: 'must be a port number from 1 to 65535, usually 993 or 143' })
    .int()
    .min(1)
    .max(65535)
    .default(993),
  security: z
    .enum(['tls', 'starttls'], {
      message: 'must be "tls" (implicit TLS, usually port 993) or "starttls" (usually port 143)',
    })
    .default('tls'),
  user: z.string().min(1, 'is required: the login name of the mailbox'),
  folder: folderName.default('INBOX'),
});

/**
 * Open and click tracking through the product's own pixel and redirect, off by default.
 * Mandrill tracks its own mail, so only the default and smtp methods take it.
 */
const trackingSchema = z.strictObject({
  opens: z.boolean('must be true or false').default(false),
  clicks: z.boolean('must be true or false').default(false),
});

export const smtpSettingsSchema = z.strictObject({
  host: hostName,
  port: z.coerce
    .number({ error: 'must be a port number from 1 to 65535, usually 465 or 587' })
    .int()
    .min(1)
    .max(65535),
  security: z.enum(['tls', 'starttls'], {
    message: 'must be "tls" (implicit TLS, usually port 465) or "starttls" (usually port 587)',
  }),
  user: z.string().min(1).optional(),
  password: z.string().refine(notMasked, MASKED_MESSAGE).optional(),
  /** DKIM selectors the server signs with, beyond those of the big providers. */
  dkimSelectors: z.array(selectorName).max(10).optional(),
  /** The mailbox to read bounces from; null or absent: bounces are not read over IMAP. */
  mailbox: mailboxSettingsSchema.nullable().optional(),
  mailboxPassword: z.string().min(1).refine(notMasked, MASKED_MESSAGE).optional(),
  tracking: trackingSchema.optional(),
});

/** The smtp settings with the mailbox rules that span two fields applied. */
const smtpAccountSettingsSchema = smtpSettingsSchema
  .superRefine((settings, ctx) => {
    if (settings.mailbox && settings.mailboxPassword === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['mailboxPassword'],
        message: 'is required when settings.mailbox is set: the password of the mailbox',
      });
    }
  })
  // Without a mailbox its password has no use, and a stale one would outlive the mailbox.
  .transform((settings): SmtpSettings => {
    if (settings.mailbox) return settings;
    const { mailboxPassword: _dropped, mailbox: _none, ...rest } = settings;
    return rest;
  });

export const mandrillSettingsSchema = z.strictObject({
  apiKey: z
    .string()
    .trim()
    .min(1, 'is required: the Mandrill API key of the account')
    .refine(notMasked, MASKED_MESSAGE),
  subaccount: z.string().trim().min(1).optional(),
  /** The key Mandrill shows for the account's webhook, to verify X-Mandrill-Signature. */
  webhookKey: z.string().trim().min(1).refine(notMasked, MASKED_MESSAGE).optional(),
});

export const defaultSettingsSchema = z.strictObject({ tracking: trackingSchema.optional() });

const common = {
  name: z
    .string()
    .trim()
    .min(1, 'is required')
    .max(200)
    .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'may not contain control characters'),
  sendingAddress: z.email('must be an email address such as office@example.com'),
  replyTo: z.email('must be an email address').nullable().default(null),
};

/** A whole account as stored: the method's settings must match the method. */
export const accountSchema = z.discriminatedUnion(
  'method',
  [
    z.strictObject({
      ...common,
      method: z.literal('default'),
      settings: defaultSettingsSchema.default({}),
    }),
    z.strictObject({ ...common, method: z.literal('smtp'), settings: smtpAccountSettingsSchema }),
    z.strictObject({ ...common, method: z.literal('mandrill'), settings: mandrillSettingsSchema }),
  ],
  { error: 'must be "default", "smtp" or "mandrill"' },
);

export const accountPatchSchema = z.strictObject({
  name: common.name.optional(),
  sendingAddress: common.sendingAddress.optional(),
  replyTo: z.email('must be an email address').nullable().optional(),
  method: z
    .enum(['default', 'smtp', 'mandrill'], { error: 'must be "default", "smtp" or "mandrill"' })
    .optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

export type AccountInput = z.output<typeof accountSchema>;
export type SmtpSettings = z.output<typeof smtpSettingsSchema>;
export type MailboxSettings = z.output<typeof mailboxSettingsSchema>;
export type MandrillSettings = z.output<typeof mandrillSettingsSchema>;
