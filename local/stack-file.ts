// Discovery info of a running `npm start` (.local-stack.json in the project root, gitignored), so that
// `npm run login` and scripts find the stack without flags. Removed when the stack stops.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LocalStackError } from './errors';

export interface LocalStackInfo {
  readonly issuer: string;
  readonly api: string;
  readonly audience: string;
  /** The public client for Authorization Code + PKCE with a loopback redirect. */
  readonly clientId: string;
  /** A client whose tokens expire quickly, when the stack was started with SHORT_LIVED_TOKEN_TTL_SECONDS. */
  readonly shortLivedClientId: string | null;
  /** PEM of the issuer's throwaway certificate, to trust it without NODE_EXTRA_CA_CERTS. */
  readonly issuerCertificate: string | null;
  readonly dynamodb: string;
  /** The browser app's origin; null when it is not served (an external issuer). */
  readonly app: string | null;
  readonly pid: number;
  /** PEM of the gateway's throwaway certificate when the API is served over HTTPS (MTLS=1), else null. */
  readonly apiCertificate?: string | null;
  /** With MTLS=1: what a client needs to get and use certificate-bound tokens; else null. */
  readonly mtls?: LocalMutualTls | null;
}

export interface LocalMutualTls {
  /** The public client whose tokens the local issuer binds to the certificate it presents. */
  readonly clientId: string;
  /**
   * The gateway's truststore CA, key included, so that `npm run login -- --mtls` can issue a client
   * certificate the gateway accepts. A throwaway made at each start; the stack file is mode 0600.
   */
  readonly clientCa: { readonly cert: string; readonly key: string };
}

export const DEFAULT_STACK_FILE = resolve(__dirname, '..', '.local-stack.json');

export function stackFilePath(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const configured = env.LOCAL_STACK_FILE?.trim();
  return configured ? resolve(configured) : DEFAULT_STACK_FILE;
}

export function writeStackFile(path: string, info: LocalStackInfo): void {
  writeFileSync(path, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}

export function removeStackFile(path: string): void {
  rmSync(path, { force: true });
}

function isStackInfo(value: unknown): value is LocalStackInfo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['issuer', 'api', 'audience', 'clientId', 'dynamodb'].every((k) => typeof v[k] === 'string');
}

export function readStackFile(path: string): LocalStackInfo {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new LocalStackError(
      'STACK_NOT_RUNNING',
      `no running local stack (${path} not found); run npm start first`,
      {
        cause,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new LocalStackError('STACK_NOT_RUNNING', `${path} is not valid JSON; restart npm start`, { cause });
  }
  if (!isStackInfo(parsed)) {
    throw new LocalStackError(
      'STACK_NOT_RUNNING',
      `${path} does not describe a local stack; restart npm start`,
    );
  }
  return parsed;
}
