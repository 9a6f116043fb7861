// What every measurement shares: a throwaway certificate, an HTTPS JWKS endpoint on 127.0.0.1 that counts its
// requests, real RS256/ES256 keys, batches of distinct signed tokens and the authorizer's environment.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { toRouteRules } from '../lambda/routes';
import { createLoopbackCertificate } from '../local/tls';
import { startJwksServer, type JwksServer } from '../test/support/jwks-server';
import { claims, createKey, signToken, type TestKey } from '../test/support/keys';

export type BenchAlg = 'RS256' | 'ES256';
export const BENCH_ALGS: readonly BenchAlg[] = ['RS256', 'ES256'];

export const ISSUER = 'https://issuer.bench.example';
export const AUDIENCE = 'https://api.bench.example';
export const API_ARN = 'arn:aws:execute-api:us-east-1:123456789012:bench123/prod';
export const METHOD_ARN = `${API_ARN}/GET/items`;

export interface Fixtures {
  readonly jwks: JwksServer;
  readonly keys: Readonly<Record<BenchAlg, TestKey>>;
  /** PEM of the JWKS server's certificate, to trust it as its own CA. */
  readonly certificate: string;
  /** The same certificate on disk, for TRUSTED_CA_FILE (or NODE_EXTRA_CA_CERTS) in child processes. */
  readonly certificateFile: string;
  /** A scratch directory removed by close(). */
  readonly workDir: string;
  /** The authorizer's environment, exactly as the construct would set it (plus the overrides). */
  env(overrides?: Record<string, string>): Record<string, string>;
  /** `count` distinct tokens: each has its own subject and jti. */
  tokens(alg: BenchAlg, count: number, scope?: string): string[];
  close(): Promise<void>;
}

export async function startFixtures(): Promise<Fixtures> {
  const workDir = await mkdtemp(join(tmpdir(), 'bearer-gate-bench-'));
  const tls = await createLoopbackCertificate();
  const certificateFile = join(workDir, 'cert.pem');
  const keyFile = join(workDir, 'key.pem');
  await writeFile(certificateFile, tls.cert);
  await writeFile(keyFile, tls.key, { mode: 0o600 });
  // The test JWKS server reads its TLS material from these variables (jest's global setup sets them there).
  process.env.TEST_TLS_CERT_FILE = certificateFile;
  process.env.TEST_TLS_KEY_FILE = keyFile;

  const keys = { RS256: createKey('RS256'), ES256: createKey('ES256') };
  const jwks = await startJwksServer([keys.RS256.jwk, keys.ES256.jwk]);
  const routes = JSON.stringify(toRouteRules());

  return {
    jwks,
    keys,
    certificate: tls.cert,
    certificateFile,
    workDir,
    env: (overrides = {}) => ({ ISSUER, AUDIENCE, JWKS_URI: jwks.url, ROUTES: routes, ...overrides }),
    tokens: (alg, count, scope = 'items:read items:write') =>
      Array.from({ length: count }, (_, i) =>
        signToken(
          keys[alg],
          claims({
            iss: ISSUER,
            aud: AUDIENCE,
            sub: `user-${i}-${randomUUID()}`,
            scope,
            exp: Math.floor(Date.now() / 1000) + 3600,
          }),
        ),
      ),
    close: async () => {
      await jwks.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
