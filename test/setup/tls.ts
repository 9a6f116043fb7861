// Global TLS material for tests: one throwaway certificate, trusted by every jest worker through
// NODE_EXTRA_CA_CERTS (read by Node at process start, so it must be set before workers spawn).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLoopbackCertificate } from '../../local/tls';

export async function startTls(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'bearer-gate-tls-'));
  const { key, cert } = await createLoopbackCertificate();
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key, { mode: 0o600 });
  process.env.TEST_TLS_CERT_FILE = certFile;
  process.env.TEST_TLS_KEY_FILE = keyFile;
  process.env.NODE_EXTRA_CA_CERTS = certFile;
  return () => rmSync(dir, { recursive: true, force: true });
}
