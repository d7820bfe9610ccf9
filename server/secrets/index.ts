// Encryption at rest of account secrets (SMTP passwords, Mandrill API keys).
export { SecretError } from './errors.js';
export { type SecretKeyring, KEY_ID_PATTERN, generateKeySpec, parseKeyring } from './keyring.js';
export { type KeyringSources, loadKeyring } from './key-file.js';
export { decryptSecret, encryptSecret, encryptedKeyId, isEncrypted } from './cipher.js';
export {
  SECRET_FIELDS,
  type SecretField,
  needsSealing,
  openSettings,
  sealSettings,
} from './settings.js';
