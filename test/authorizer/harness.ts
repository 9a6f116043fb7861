// Shared set-up for authorizer tests: a real HTTPS JWKS server, real keys, a parsed config and captured logs.
import {
  BoundedFetcher,
  createAuthorizer,
  filesBesideHandler,
  parseConfig,
  type Authorizer,
  type AuthorizerConfig,
  type AuthorizerDeps,
} from '../../lambda/authorizer';
import { toRouteRules } from '../../lambda/routes';
import { setLogSink } from '../../lambda/authorizer/log';
import { createKey, type Alg, type TestKey } from '../support/keys';
import type { Fetcher } from 'aws-jwt-verify/https';
import { startJwksServer, type JwksServer } from '../support/jwks-server';

export const API_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod';
export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'https://api.test';

export function tokenEvent(authorizationToken: unknown, method = 'GET', path = '/items') {
  return { type: 'TOKEN', authorizationToken, methodArn: `${API_ARN}/${method}${path}` };
}

export interface Harness {
  readonly server: JwksServer;
  readonly keys: Record<'rsa' | 'ec', TestKey>;
  readonly logs: string[];
  /**
   * The fetcher the authorizer builds for itself (BoundedFetcher), from the same configuration: for tests
   * that wrap it. jest may run in the process that made the test certificate, where NODE_EXTRA_CA_CERTS came
   * too late, so the certificate is trusted as production trusts a private CA: TRUSTED_CA_FILE.
   */
  readonly fetcher: Fetcher;
  env(overrides?: Record<string, string>): Record<string, string>;
  /** parseConfig of env(overrides), trusting the test certificate through TRUSTED_CA_FILE. */
  config(overrides?: Record<string, string>): AuthorizerConfig;
  /** The authorizer as production builds it (its own BoundedFetcher), unless deps says otherwise. */
  authorizer(overrides?: Record<string, string>, deps?: AuthorizerDeps): Authorizer;
  newKey(alg?: Alg): TestKey;
  close(): Promise<void>;
}

/** The test certificate's file, which global setup writes (test/setup/tls.ts). */
export function testCertificateFile(): string {
  const file = process.env.TEST_TLS_CERT_FILE;
  if (file === undefined || file === '')
    throw new Error('TEST_TLS_CERT_FILE unset: is jest globalSetup running?');
  return file;
}

export async function startHarness(): Promise<Harness> {
  const keys = { rsa: createKey('RS256'), ec: createKey('ES256') };
  const server = await startJwksServer([keys.rsa.jwk, keys.ec.jwk]);
  const logs: string[] = [];
  const restore = setLogSink((line) => logs.push(line));
  const env = (overrides: Record<string, string> = {}): Record<string, string> => ({
    ISSUER,
    AUDIENCE,
    JWKS_URI: server.url,
    ROUTES: JSON.stringify(toRouteRules()),
    ...overrides,
  });
  const config = (overrides: Record<string, string> = {}): AuthorizerConfig =>
    parseConfig(env({ TRUSTED_CA_FILE: testCertificateFile(), ...overrides }), filesBesideHandler());
  const { jwksTimeoutMs, trustedCa } = config();
  const fetcher = new BoundedFetcher({
    timeoutMs: jwksTimeoutMs,
    trustedCertificates: trustedCa?.certificates,
  });
  return {
    server,
    keys,
    logs,
    fetcher,
    env,
    config,
    authorizer: (overrides, deps) =>
      createAuthorizer(config(overrides), { jwksFailureBackoffMs: 0, ...deps }),
    newKey: (alg = 'RS256') => createKey(alg),
    close: async () => {
      restore();
      await server.close();
    },
  };
}

/** The reason code of the last decision line in the captured logs. */
export function lastDecision(logs: string[]): Record<string, unknown> {
  const lines = logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === 'authorization');
  const last = lines[lines.length - 1];
  if (!last) throw new Error('no decision was logged');
  return last;
}
