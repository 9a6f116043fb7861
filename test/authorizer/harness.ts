// Shared set-up for authorizer tests: a real HTTPS JWKS server, real keys, a parsed config and captured logs.
import { createAuthorizer, parseConfig, type Authorizer, type AuthorizerDeps } from '../../lambda/authorizer';
import { toRouteRules } from '../../lambda/routes';
import { setLogSink } from '../../lambda/authorizer/log';
import { createKey, type Alg, type TestKey } from '../support/keys';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';
import { startJwksServer, tlsMaterial, type JwksServer } from '../support/jwks-server';

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
  /** aws-jwt-verify's own fetcher, trusting the test certificate (jest may run in the process that made it). */
  readonly fetcher: Fetcher;
  env(overrides?: Record<string, string>): Record<string, string>;
  authorizer(overrides?: Record<string, string>, deps?: AuthorizerDeps): Authorizer;
  newKey(alg?: Alg): TestKey;
  close(): Promise<void>;
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
  const fetcher = new SimpleFetcher({
    defaultRequestOptions: { ca: tlsMaterial().cert, responseTimeout: 1000 },
  });
  return {
    server,
    keys,
    logs,
    fetcher,
    env,
    authorizer: (overrides, deps) =>
      createAuthorizer(parseConfig(env(overrides)), { fetcher, jwksFailureBackoffMs: 0, ...deps }),
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
