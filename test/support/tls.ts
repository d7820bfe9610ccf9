import fs from 'node:fs';
import path from 'node:path';
import selfsigned from 'selfsigned';

export interface TestCertificate {
  key: string;
  cert: string;
  /** The certificate written to a PEM file, to be trusted as a CA. */
  certFile: string;
}

/**
 * Generates a self-signed certificate for localhost and 127.0.0.1. smtp-server's
 * built-in certificate expired in February 2025, so tests make their own.
 */
export function createTestCertificate(dir: string): TestCertificate {
  const pems = selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    days: 7,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const certFile = path.join(dir, 'test-ca.pem');
  fs.writeFileSync(certFile, pems.cert);
  return { key: pems.private, cert: pems.cert, certFile };
}
