// `npm run jwks-seed` against real HTTPS issuers on 127.0.0.1 (their certificate trusted with --ca-file): the
// seed it writes, merging into an existing seed, refusals (private and symmetric keys among them, named by kid,
// never by value), and an authorizer deciding with what it wrote.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createAuthorizer, parseConfig, parseJwksSeed } from '../../lambda/authorizer';
import { toRouteRules } from '../../lambda/routes';
import { setLogSink } from '../../lambda/authorizer/log';
import { writeJwksSeed } from '../../infra/constructs/seed-tool';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { claims, createKey, signToken } from '../support/keys';

const ROOT = resolve(__dirname, '..', '..');
const keys = { rsa: createKey('RS256'), ec: createKey('ES256') };
let issuer: JwksServer;
let other: JwksServer;
let dir: string;
const caFile = (): string => process.env.TEST_TLS_CERT_FILE as string;

beforeAll(async () => {
  issuer = await startJwksServer([keys.rsa.jwk]);
  other = await startJwksServer([keys.ec.jwk]);
  dir = mkdtempSync(join(tmpdir(), 'bearer-gate-jwks-seed-'));
});
afterAll(async () => {
  await Promise.all([issuer.close(), other.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/constructs/seed-tool-cli.ts', ...args],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('--issuer: discovery, then the JWKS, written as a seed that records the issuer', async () => {
  const out = join(dir, 'issuer.json');
  const before = Date.now();
  const result = await run(['--issuer', issuer.origin, '--out', out, '--ca-file', caFile()]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(
    new RegExp(
      `^${out}: ${issuer.url} \\(named by ${issuer.origin}'s discovery\\), 1 keys fetched at \\S+Z; 1 JWKS in the seed\\n$`,
    ),
  );
  expect(issuer.requests).toEqual(['/.well-known/openid-configuration', '/.well-known/jwks.json']);
  const [entry, ...rest] = parseJwksSeed(readFileSync(out, 'utf8'));
  expect(rest).toEqual([]);
  expect(entry).toMatchObject({ jwksUri: issuer.url, jwks: { keys: [keys.rsa.jwk] }, issuer: issuer.origin });
  expect(entry?.fetchedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(entry?.fetchedAt).toBeLessThanOrEqual(Date.now());
});

test('bad flags exit 2 with the usage; an issuer that cannot be read exits 1 and writes nothing', async () => {
  const usage = await run(['--issuer', 'http://127.0.0.1/']);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain(
    'jwks-seed failed: --issuer must be an absolute https URL; got "http://127.0.0.1/"',
  );
  expect(usage.stderr).toContain('Usage: bearer-gate-jwks-seed ');
  issuer.discovery = { issuer: 'https://someone-else.example' };
  try {
    const out = join(dir, 'never.json');
    const failed = await run(['--issuer', issuer.origin, '--out', out, '--ca-file', caFile()]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `jwks-seed failed: ${issuer.origin}/.well-known/openid-configuration: openid-configuration names ` +
        `issuer "https://someone-else.example", not "${issuer.origin}"\n`,
    );
    expect(() => readFileSync(out)).toThrow('ENOENT');
  } finally {
    issuer.discovery = {};
  }
});

describe('--check: discovery as the authorizer runs it, before deploy', () => {
  afterEach(() => {
    issuer.discovery = {};
    issuer.discoveryMode = 'ok';
    issuer.mode = 'ok';
  });

  test('an issuer whose discovery names it exactly: exit 0, what was found, and nothing written', async () => {
    issuer.requests.length = 0;
    const result = await run(['--check', issuer.origin, '--ca-file', caFile()]);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      0,
      `${issuer.origin}: discovery names this issuer exactly; its JWKS ${issuer.url} holds 1 usable signing keys\n`,
      '',
    ]);
    expect(issuer.requests).toEqual(['/.well-known/openid-configuration', '/.well-known/jwks.json']);
  });

  test.each<
    [string, (origin: string) => { given: string; named: unknown }, (given: string, named: string) => string]
  >([
    [
      'the issuer given without the trailing slash discovery has (Auth0)',
      (origin) => ({ given: origin, named: `${origin}/` }),
      (given, named) =>
        `${given}/.well-known/openid-configuration names the issuer "${named}", not "${given}": the authorizer ` +
        `refuses a discovery document for another issuer, so every request for "${given}" would be answered 503 ` +
        `(and tokens carry iss "${named}"). They differ only in the trailing slash: configure the issuer as ` +
        `"${named}", exactly.`,
    ],
    [
      'the issuer given with a trailing slash discovery does not have',
      (origin) => ({ given: `${origin}/`, named: origin }),
      (given, named) =>
        `${named}/.well-known/openid-configuration names the issuer "${named}", not "${given}": the authorizer ` +
        `refuses a discovery document for another issuer, so every request for "${given}" would be answered 503 ` +
        `(and tokens carry iss "${named}"). They differ only in the trailing slash: configure the issuer as ` +
        `"${named}", exactly.`,
    ],
    [
      'another issuer altogether',
      (origin) => ({ given: origin, named: 'https://someone-else.example' }),
      (given, named) =>
        `${given}/.well-known/openid-configuration names the issuer "${named}", not "${given}": the authorizer ` +
        `refuses a discovery document for another issuer, so every request for "${given}" would be answered 503 ` +
        `(and tokens carry iss "${named}"). Configure the issuer as "${named}" if you trust it, or check the URL.`,
    ],
    [
      'no issuer at all',
      (origin) => ({ given: origin, named: 42 }),
      (given) =>
        `${given}/.well-known/openid-configuration names no issuer (got 42): the authorizer refuses such a ` +
        `document, so every request for "${given}" would be answered 503. Check the issuer URL.`,
    ],
  ])('%s: exit 3, naming both and the fix', async (_name, setup, message) => {
    const { given, named } = setup(issuer.origin);
    issuer.discovery = { issuer: named } as typeof issuer.discovery;
    const result = await run(['--check', given, '--ca-file', caFile()]);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      3,
      '',
      `jwks-seed failed: ${message(given, String(named))}\n`,
    ]);
  });

  test('an issuer that cannot be read: exit 1, naming the request', async () => {
    issuer.discoveryMode = 'down';
    const result = await run(['--check', issuer.origin, '--ca-file', caFile(), '--timeout-ms', '500']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^jwks-seed failed: GET ${issuer.origin}/\\.well-known/openid-configuration failed: .+\\n$`),
    );
  });

  test('discovery matches but the JWKS has no usable key: exit 1', async () => {
    issuer.mode = 'empty';
    const result = await run(['--check', issuer.origin, '--ca-file', caFile()]);
    expect([result.code, result.stderr]).toEqual([
      1,
      `jwks-seed failed: ${issuer.url} is not usable: the seed maps "${issuer.url}" to a JWKS without a usable ` +
        'signing key (RSA, EC or OKP, with a kid)\n',
    ]);
  });
});

describe('merging into an existing seed', () => {
  const out = (): string => join(dir, 'merged.json');
  const write = (source: { kind: 'issuer'; issuer: string } | { kind: 'jwks-uri'; jwksUri: string }) =>
    writeJwksSeed(
      { source, out: out(), caFile: caFile(), timeoutMs: 1000 },
      Date.parse('2026-11-20T08:00:00Z'),
    );

  test('another JWKS is added, a refetched one replaced in place, and the authorizer decides with the seed', async () => {
    await write({ kind: 'issuer', issuer: issuer.origin });
    await write({ kind: 'jwks-uri', jwksUri: other.url });
    const rotated = createKey('RS256');
    issuer.keys = [keys.rsa.jwk, rotated.jwk];
    try {
      const { entries } = await write({ kind: 'issuer', issuer: issuer.origin });
      expect(entries.map((e) => [e.jwksUri, e.issuer, e.jwks.keys.length])).toEqual([
        [issuer.url, issuer.origin, 2],
        [other.url, null, 1],
      ]);
      const text = readFileSync(out(), 'utf8');
      expect(JSON.parse(text)).toEqual({
        [issuer.url]: {
          keys: [keys.rsa.jwk, rotated.jwk],
          fetchedAt: '2026-11-20T08:00:00.000Z',
          issuer: issuer.origin,
        },
        [other.url]: { keys: [keys.ec.jwk], fetchedAt: '2026-11-20T08:00:00.000Z' },
      });

      // The authorizer trusts the issuer by discovery and the other by its JWKS URI; both are down.
      issuer.mode = 'down';
      issuer.discoveryMode = 'down';
      other.mode = 'down';
      const logs: string[] = [];
      const restore = setLogSink((line) => logs.push(line));
      try {
        const config = parseConfig(
          {
            ISSUERS: JSON.stringify([
              { issuer: issuer.origin, audience: 'https://api.test' },
              { issuer: 'https://other.test', audience: 'https://api.test', jwksUri: other.url },
            ]),
            ROUTES: JSON.stringify(toRouteRules()),
            // The seed's fetchedAt is a fixed date: a long max age keeps this test from aging out.
            JWKS_SEED_MAX_AGE_SECONDS: String(90 * 86400),
            JWKS_SEED_FILE: 'seed.json',
          },
          { read: () => text },
        );
        const authorizer = createAuthorizer(config);
        for (const [key, iss] of [
          [rotated, issuer.origin],
          [keys.ec, 'https://other.test'],
        ] as const) {
          const token = signToken(key, claims({ iss, aud: 'https://api.test' }));
          const result = await authorizer.authorize({
            type: 'TOKEN',
            authorizationToken: `Bearer ${token}`,
            methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/items',
          });
          expect(result.principalId).toBe('user-1');
        }
        await authorizer.settled();
      } finally {
        restore();
      }
    } finally {
      issuer.keys = [keys.rsa.jwk];
      issuer.mode = 'ok';
      issuer.discoveryMode = 'ok';
      other.mode = 'ok';
    }
  });

  test('an existing file that is not a seed is refused, naming --out', async () => {
    writeFileSync(out(), '{"not": "a seed"}');
    await expect(write({ kind: 'jwks-uri', jwksUri: other.url })).rejects.toMatchObject({
      name: 'SeedToolUsageError',
      setting: '--out',
      message: `--out names "${out()}", which is not a JWKS seed: has a key "not" that is not an absolute https JWKS URI`,
    });
  });

  test('a JWKS without a usable key is refused', async () => {
    other.mode = 'empty';
    try {
      await expect(
        writeJwksSeed({
          source: { kind: 'jwks-uri', jwksUri: other.url },
          out: join(dir, 'empty.json'),
          caFile: caFile(),
          timeoutMs: 1000,
        }),
      ).rejects.toMatchObject({
        name: 'SeedFetchError',
        message: `${other.url} is not usable: the seed maps "${other.url}" to a JWKS without a usable signing key (RSA, EC or OKP, with a kid)`,
      });
    } finally {
      other.mode = 'ok';
    }
  });
});

describe('a JWKS with private or secret key material is refused, named by kid, and nothing is written', () => {
  const leaked = createKey('RS256', 'leaked-1');
  const leakedJwk = {
    ...(leaked.privateKey.export({ format: 'jwk' }) as Record<string, string>),
    ...leaked.jwk,
  };
  const hmac = { kty: 'oct', kid: 'hmac-1', k: 'c2hhcmVkLXNlY3JldC12YWx1ZQ', alg: 'HS256' };
  const secrets = [...['d', 'p', 'q', 'dp', 'dq', 'qi'].map((m) => leakedJwk[m] as string), hmac.k];
  const refusal = (uri: string, named: string): string =>
    `${uri} is not usable: the seed maps "${uri}" to a JWKS whose key ${named}: a seed holds public keys ` +
    'only. Remove that key, and have it replaced at the issuer: its secret is exposed';
  afterEach(() => {
    issuer.keys = [keys.rsa.jwk];
  });

  test('--issuer whose JWKS publishes a private key: exit 1, and neither output holds the key', async () => {
    issuer.keys = [keys.rsa.jwk, leakedJwk];
    const out = join(dir, 'leaked.json');
    const result = await run(['--issuer', issuer.origin, '--out', out, '--ca-file', caFile()]);
    expect([result.code, result.stdout, result.stderr]).toEqual([
      1,
      '',
      `jwks-seed failed: ${refusal(issuer.url, 'kid "leaked-1" has private key members (d, p, q, dp, dq, qi)')}\n`,
    ]);
    for (const secret of secrets) expect(result.stderr).not.toContain(secret);
    expect(() => readFileSync(out)).toThrow('ENOENT');
  });

  test('--jwks-uri whose JWKS publishes a symmetric key', async () => {
    issuer.keys = [hmac, keys.rsa.jwk];
    const out = join(dir, 'hmac.json');
    const attempt = writeJwksSeed({
      source: { kind: 'jwks-uri', jwksUri: issuer.url },
      out,
      caFile: caFile(),
      timeoutMs: 1000,
    });
    await expect(attempt).rejects.toMatchObject({
      name: 'SeedFetchError',
      message: refusal(issuer.url, 'kid "hmac-1" is a symmetric (shared secret) key'),
    });
    expect(() => readFileSync(out)).toThrow('ENOENT');
  });

  test('an existing seed holding a private key is refused, naming --out and the kid', async () => {
    const out = join(dir, 'existing-leaked.json');
    writeFileSync(out, JSON.stringify({ [other.url]: { keys: [leakedJwk] } }));
    const attempt = writeJwksSeed({
      source: { kind: 'jwks-uri', jwksUri: other.url },
      out,
      caFile: caFile(),
      timeoutMs: 1000,
    });
    await expect(attempt).rejects.toMatchObject({
      name: 'SeedToolUsageError',
      setting: '--out',
      message:
        `--out names "${out}", which is not a JWKS seed: maps "${other.url}" to a JWKS whose key kid ` +
        '"leaked-1" has private key members (d, p, q, dp, dq, qi): a seed holds public keys only. Remove that ' +
        'key, and have it replaced at the issuer: its secret is exposed',
    });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ [other.url]: { keys: [leakedJwk] } });
  });
});
