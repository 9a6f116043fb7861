// The client certificate `npm run login -- --mtls` binds its token to (RFC 8705): issued by the running stack's
// throwaway client CA (the gateway's truststore) and written, with its key, to a fresh temporary directory
// that `npm run call -- --cert --key` and curl read later.
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingError } from '../errors';
import type { LocalMutualTls } from '../stack-file';
import { issueClientCertificate } from '../tls';
import type { ClientCertificate } from './trusted-http';

export interface ClientCertificateFiles {
  readonly dir: string;
  /** The client certificate (PEM). */
  readonly certFile: string;
  /** Its private key (PEM), mode 0600. */
  readonly keyFile: string;
  /** The gateway's own certificate, for `curl --cacert`. */
  readonly apiCaFile: string;
}

/** A new client certificate for `commonName`, issued by the stack's client CA. */
export function newClientCertificate(mtls: LocalMutualTls, commonName: string): Promise<ClientCertificate> {
  return issueClientCertificate(mtls.clientCa, commonName);
}

export function writeClientCertificate(
  certificate: ClientCertificate,
  apiCertificate: string,
): ClientCertificateFiles {
  const dir = mkdtempSync(join(tmpdir(), 'bearer-gate-mtls-'));
  const files = {
    dir,
    certFile: join(dir, 'client.pem'),
    keyFile: join(dir, 'client-key.pem'),
    apiCaFile: join(dir, 'api-ca.pem'),
  };
  writeFileSync(files.certFile, certificate.cert);
  // A private key: readable by its owner only, like an SSH key.
  writeFileSync(files.keyFile, certificate.key, { mode: 0o600 });
  writeFileSync(files.apiCaFile, apiCertificate);
  return files;
}

/**
 * Whether the issued token names this certificate in cnf["x5t#S256"] (RFC 8705 §3.1). An issuer that
 * ignored the certificate would hand out a plain bearer token the caller did not ask for; the token's
 * payload is read, not verified: the API verifies it.
 */
export function isBoundTo(accessToken: string, certificate: ClientCertificate): boolean {
  const thumbprint = createHash('sha256')
    .update(new X509Certificate(certificate.cert).raw)
    .digest('base64url');
  try {
    const payload = JSON.parse(
      Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { cnf?: Record<string, unknown> };
    return payload.cnf?.['x5t#S256'] === thumbprint;
  } catch {
    return false;
  }
}

/** Reads `--cert` and `--key`; each error names the flag. */
export function readClientCertificate(certFile: string, keyFile: string): ClientCertificate {
  const read = (flag: string, path: string, marker: RegExp): string => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      throw new SettingError(flag, `cannot be read (${path})`, { cause });
    }
    if (!marker.test(text)) throw new SettingError(flag, `is not a PEM file (${path})`);
    return text;
  };
  return {
    cert: read('--cert', certFile, /-----BEGIN CERTIFICATE-----/),
    key: read('--key', keyFile, /-----BEGIN [A-Z ]*PRIVATE KEY-----/),
  };
}

/** The running stack's mutual-TLS parts, or an error saying how to start it with them. */
export function requireMutualTls(
  mtls: LocalMutualTls | null | undefined,
  apiCertificate: string | null | undefined,
  flag: string,
): { mtls: LocalMutualTls; apiCertificate: string } {
  if (!mtls || !apiCertificate) {
    throw new SettingError(
      flag,
      'needs the stack started with MTLS=1 (a gateway that requires client certificates)',
    );
  }
  return { mtls, apiCertificate };
}
