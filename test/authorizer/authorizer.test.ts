// The authorizer core end to end: real keys, real signed tokens, JWKS over real HTTPS on 127.0.0.1.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { JwksUnavailableError } from '../../lambda/authorizer';
import { UNSAFE_PATH_DENIES } from '../../lambda/contract';
import { b64url, claims, signInput, signToken, type TestKey } from '../support/keys';
import { API_ARN, AUDIENCE, lastDecision, startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
  h.server.mode = 'ok';
  h.server.requests.length = 0;
});

/** API Gateway answers 401 only for this exact message. */
const UNAUTHORIZED = /^Unauthorized$/;

const now = (): number => Math.floor(Date.now() / 1000);

function rsa(payload: Record<string, unknown> = claims(), header?: Record<string, unknown>): string {
  return signToken(h.keys.rsa, payload, { header });
}

async function reasonFor(authorization: unknown, env?: Record<string, string>): Promise<unknown> {
  const authorizer = h.authorizer(env);
  await expect(authorizer.authorize(tokenEvent(authorization))).rejects.toThrow(UNAUTHORIZED);
  return lastDecision(h.logs).reason;
}

describe('every reason a token is refused gives exactly Unauthorized (401) and a stable reason code', () => {
  const cases: Array<[string, () => unknown, string, Record<string, string>?]> = [
    ['no Authorization value', () => undefined, 'MISSING_TOKEN'],
    ['an empty value', () => '', 'MISSING_TOKEN'],
    ['a non-string value', () => 42, 'MISSING_TOKEN'],
    ['another scheme', () => `Basic ${rsa()}`, 'MALFORMED_HEADER'],
    ['the scheme alone', () => 'Bearer', 'MALFORMED_HEADER'],
    ['a missing scheme', () => rsa(), 'MALFORMED_HEADER'],
    ['two tokens', () => `Bearer ${rsa()} ${rsa()}`, 'MALFORMED_HEADER'],
    ['two Bearer values', () => `Bearer ${rsa()}, Bearer ${rsa()}`, 'MALFORMED_HEADER'],
    ['a token over MAX_TOKEN_BYTES', () => `Bearer ${'a'.repeat(9000)}`, 'TOKEN_TOO_LARGE'],
    [
      'a token just over a lowered cap',
      () => `Bearer ${rsa()}`,
      'TOKEN_TOO_LARGE',
      { MAX_TOKEN_BYTES: '300' },
    ],
    ['not a JWT', () => 'Bearer abc.def', 'MALFORMED_TOKEN'],
    ['an empty signature', () => `Bearer ${rsa().split('.').slice(0, 2).join('.')}.`, 'MALFORMED_TOKEN'],
    [
      'a header that is not JSON',
      () => `Bearer ${b64url('nope')}.${b64url(claims())}.c2ln`,
      'MALFORMED_TOKEN',
    ],
    [
      'alg none',
      () => `Bearer ${b64url({ alg: 'none', kid: h.keys.rsa.kid })}.${b64url(claims())}.c2ln`,
      'UNSUPPORTED_ALGORITHM',
    ],
    [
      'HS256 signed with the public key as the secret',
      () => {
        const input = `${b64url({ alg: 'HS256', kid: h.keys.rsa.kid })}.${b64url(claims())}`;
        const pem = h.keys.rsa.publicKey.export({ type: 'spki', format: 'pem' });
        return `Bearer ${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
      },
      'UNSUPPORTED_ALGORITHM',
    ],
    ['an embedded jwk header', () => `Bearer ${rsa(claims(), { jwk: h.keys.rsa.jwk })}`, 'FORBIDDEN_HEADER'],
    [
      'a jku header',
      () => `Bearer ${rsa(claims(), { jku: 'https://127.0.0.1:1/jwks' })}`,
      'FORBIDDEN_HEADER',
    ],
    [
      'a typ that TOKEN_TYPES does not list',
      () => `Bearer ${rsa(claims(), { typ: 'JWT' })}`,
      'WRONG_TOKEN_TYPE',
      { TOKEN_TYPES: 'at+jwt,application/at+jwt' },
    ],
    ['no kid', () => `Bearer ${rsa(claims(), { kid: undefined })}`, 'MISSING_KID'],
    ['an unknown kid', () => `Bearer ${rsa(claims(), { kid: 'not-a-key' })}`, 'UNKNOWN_KID'],
    [
      'a tampered payload',
      () => {
        const [header, , sig] = rsa().split('.');
        return `Bearer ${header}.${b64url(claims({ scope: 'items:read items:write items:delete' }))}.${sig}`;
      },
      'BAD_SIGNATURE',
    ],
    [
      'a tampered signature',
      () => {
        const token = rsa();
        const last = token.at(-2) === 'A' ? 'B' : 'A';
        return `Bearer ${token.slice(0, -2)}${last}${token.at(-1)}`;
      },
      'BAD_SIGNATURE',
    ],
    [
      'a signature by another key',
      () => `Bearer ${signToken({ ...h.newKey(), kid: h.keys.rsa.kid }, claims())}`,
      'BAD_SIGNATURE',
    ],
    [
      'a signature re-spelled with other spare bits (it decodes to the same bytes)',
      () => {
        const token = rsa();
        // 256 signature bytes are 342 characters: the last one carries 2 bits of data and 4 spare bits.
        const last = token.at(-1) as string;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const respelled = alphabet[alphabet.indexOf(last) + 1] as string;
        expect(Buffer.from(`${token.split('.')[2]?.slice(0, -1)}${respelled}`, 'base64url')).toEqual(
          Buffer.from(token.split('.')[2] as string, 'base64url'),
        );
        return `Bearer ${token.slice(0, -1)}${respelled}`;
      },
      'MALFORMED_TOKEN',
    ],
    [
      'an ES256 header on an RSA key',
      () => `Bearer ${rsa(claims(), { alg: 'ES256' })}`,
      'UNSUPPORTED_ALGORITHM',
    ],
    ['exp as a string', () => `Bearer ${rsa(claims({ exp: String(now() + 60) }))}`, 'INVALID_CLAIM'],
    ['no exp', () => `Bearer ${rsa(claims({ exp: undefined }))}`, 'MISSING_EXP'],
    ['an expired token', () => `Bearer ${rsa(claims({ exp: now() - 120 }))}`, 'TOKEN_EXPIRED'],
    ['nbf in the future', () => `Bearer ${rsa(claims({ nbf: now() + 600 }))}`, 'TOKEN_NOT_YET_VALID'],
    ['iat in the future', () => `Bearer ${rsa(claims({ iat: now() + 600 }))}`, 'ISSUED_IN_FUTURE'],
    ['another issuer', () => `Bearer ${rsa(claims({ iss: 'https://evil.test' }))}`, 'WRONG_ISSUER'],
    ['another audience', () => `Bearer ${rsa(claims({ aud: 'https://other.test' }))}`, 'WRONG_AUDIENCE'],
    ['no sub', () => `Bearer ${rsa(claims({ sub: undefined }))}`, 'INVALID_CLAIM'],
    [
      'a validly signed payload with a duplicate key',
      () => {
        const body = JSON.stringify(claims());
        const raw = body.replace(/}$/, ',"sub":"admin"}');
        return `Bearer ${signToken(h.keys.rsa, {}, { rawPayload: raw })}`;
      },
      'MALFORMED_TOKEN',
    ],
  ];

  // Rest parameters: jest would take a 4th named parameter for a `done` callback.
  const titled = cases.map(([name, make, reason, env]) => [name, reason, make, env] as const);
  test.each(titled)('%s -> %s', async (...[, reason, make, env]) => {
    expect(await reasonFor(make(), env)).toBe(reason);
  });

  test('a Bearer scheme in any case is accepted', async () => {
    const result = await h.authorizer().authorize(tokenEvent(`bEaReR ${rsa()}`));
    expect(result.principalId).toBe('user-1');
  });

  test('an expired token inside the clock skew is still accepted', async () => {
    const result = await h.authorizer().authorize(tokenEvent(`Bearer ${rsa(claims({ exp: now() - 5 }))}`));
    expect(result.principalId).toBe('user-1');
  });
});

describe('a valid token', () => {
  test('gets a policy for every route its scopes cover, and the documented context', async () => {
    const payload = claims({ jti: 'token-1', exp: now() + 300 });
    const result = await h.authorizer().authorize(tokenEvent(`Bearer ${rsa(payload)}`));
    expect(result).toEqual({
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'execute-api:Invoke',
            Resource: ['GET/items', 'GET/items/', 'POST/items', 'POST/items/', 'GET/items/?*'].map(
              (tail) => `${API_ARN}/${tail}`,
            ),
          },
          {
            // GET/items/* would also cover /items/1/anything: closed, and so are paths no policy can route.
            Effect: 'Deny',
            Action: 'execute-api:Invoke',
            Resource: ['GET/items/*/?*', ...UNSAFE_PATH_DENIES].map((tail) => `${API_ARN}/${tail}`),
          },
        ],
      },
      context: {
        sub: 'user-1',
        scope: 'items:read items:write',
        clientId: 'client-1',
        issuer: 'https://issuer.test',
        tokenId: 'token-1',
        expiresAt: payload.exp,
      },
    });
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'allow', reason: 'ALLOWED', sub: 'user-1' });
  });

  test('that is permitted nothing gets an explicit Deny (403) and reason INSUFFICIENT_SCOPE', async () => {
    const result = await h.authorizer().authorize(tokenEvent(`Bearer ${rsa(claims({ scope: 'profile' }))}`));
    expect(result.policyDocument.Statement).toEqual([
      { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` },
    ]);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'deny', reason: 'INSUFFICIENT_SCOPE' });
  });

  test('allowed elsewhere but not on the called route is logged as INSUFFICIENT_SCOPE', async () => {
    const token = rsa(claims({ scope: 'items:read' }));
    await h.authorizer().authorize(tokenEvent(`Bearer ${token}`, 'POST', '/items'));
    expect(lastDecision(h.logs)).toMatchObject({
      decision: 'deny',
      reason: 'INSUFFICIENT_SCOPE',
      route: 'POST /items',
    });
  });

  test('signed with an EC key verifies too', async () => {
    const result = await h.authorizer().authorize(tokenEvent(`Bearer ${signToken(h.keys.ec, claims())}`));
    expect(result.principalId).toBe('user-1');
  });
});

describe('claim layouts of real issuers', () => {
  const layouts: Array<[string, Record<string, unknown>, string, string | undefined]> = [
    [
      'Auth0 (scope string, aud array, azp)',
      {
        scope: 'openid items:read',
        aud: [AUDIENCE, 'https://tenant/userinfo'],
        azp: 'auth0-client',
        client_id: undefined,
      },
      'openid items:read',
      'auth0-client',
    ],
    [
      'Okta (scp array, cid)',
      { scope: undefined, scp: ['items:read', 'items:write'], cid: 'okta-client', client_id: undefined },
      'items:read items:write',
      'okta-client',
    ],
    [
      'Entra ID (scp string, azp)',
      { scope: undefined, scp: 'items:read', azp: 'entra-app', client_id: undefined, ver: '2.0' },
      'items:read',
      'entra-app',
    ],
    [
      'Keycloak (scope string, aud array, azp)',
      { scope: 'openid profile items:read', aud: ['account', AUDIENCE], azp: 'kc', client_id: undefined },
      'openid profile items:read',
      'kc',
    ],
    [
      'scope as an array plus scp, unioned',
      { scope: ['items:read'], scp: 'items:write items:read' },
      'items:read items:write',
      'client-1',
    ],
  ];
  test.each(layouts)('%s', async (_name, overrides, scope, clientId) => {
    const result = await h.authorizer().authorize(tokenEvent(`Bearer ${rsa(claims(overrides))}`));
    expect(result.context?.scope).toBe(scope);
    expect(result.context?.clientId).toBe(clientId);
  });
});

describe('Cognito access tokens (no aud; token_use and client_id instead)', () => {
  // The real Cognito JWKS lives on AWS, which cannot be reached here: this fetcher sends the request for
  // Cognito's JWKS URI to the local HTTPS server instead. Everything else is the production path.
  const cognitoIssuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123';
  const env = {
    ISSUER: '',
    AUDIENCE: '',
    JWKS_URI: '',
    COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
    COGNITO_CLIENT_ID: 'app1,app2',
    COGNITO_SCOPE_PREFIX: 'items-api/',
  };
  const cognitoClaims = (o: Record<string, unknown> = {}) =>
    claims({
      iss: cognitoIssuer,
      aud: undefined,
      token_use: 'access',
      client_id: 'app2',
      scope: 'openid items-api/items:read items-api/items:write',
      ...o,
    });
  const authorizer = () =>
    h.authorizer(env, {
      fetcher: {
        fetch: async (uri: string) => {
          expect(uri).toBe(`${cognitoIssuer}/.well-known/jwks.json`);
          return h.fetcher.fetch(h.server.url);
        },
      },
    });

  test('an access token of an accepted client is allowed', async () => {
    const result = await authorizer().authorize(tokenEvent(`Bearer ${rsa(cognitoClaims())}`));
    expect(result.context).toMatchObject({
      clientId: 'app2',
      issuer: cognitoIssuer,
      // Cognito prefixes custom scopes with the resource server id; both names are granted.
      scope: 'openid items-api/items:read items:read items-api/items:write items:write',
    });
    expect(result.policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: ['GET/items', 'GET/items/', 'POST/items', 'POST/items/', 'GET/items/?*'].map(
        (tail) => `${API_ARN}/${tail}`,
      ),
    });
  });

  test.each([
    ['an id token', { token_use: 'id', aud: 'app2' }, 'WRONG_TOKEN_USE'],
    ['another client', { client_id: 'app3' }, 'WRONG_CLIENT'],
  ])('%s -> %s', async (_name, overrides, reason) => {
    await expect(
      authorizer().authorize(tokenEvent(`Bearer ${rsa(cognitoClaims(overrides))}`)),
    ).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs).reason).toBe(reason);
  });
});

describe('JWKS', () => {
  test('one fetch per cold start, shared by concurrent first requests', async () => {
    const authorizer = h.authorizer();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => authorizer.authorize(tokenEvent(`Bearer ${rsa()}`))),
    );
    expect(results.every((r) => r.principalId === 'user-1')).toBe(true);
    expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
  });

  test('an unknown kid causes one refetch, then 401', async () => {
    const authorizer = h.authorizer();
    await authorizer.ready;
    await expect(
      authorizer.authorize(tokenEvent(`Bearer ${rsa(claims(), { kid: 'nope' })}`)),
    ).rejects.toThrow(UNAUTHORIZED);
    expect(h.server.requests).toHaveLength(2);
    expect(lastDecision(h.logs).reason).toBe('UNKNOWN_KID');
  });

  test('a key rotated in is accepted after one refetch', async () => {
    const authorizer = h.authorizer();
    await authorizer.ready;
    const rotated = h.newKey('ES256');
    h.server.keys = [...h.server.keys, rotated.jwk];
    try {
      const result = await authorizer.authorize(tokenEvent(`Bearer ${signToken(rotated, claims())}`));
      expect(result.principalId).toBe('user-1');
      expect(h.server.requests).toHaveLength(2);
    } finally {
      h.server.keys = h.server.keys.filter((k) => k.kid !== rotated.kid);
    }
  });

  test('down at cold start: the error is JwksUnavailableError, never Unauthorized', async () => {
    h.server.mode = 'down';
    const authorizer = h.authorizer();
    const attempt = authorizer.authorize(tokenEvent(`Bearer ${rsa()}`));
    await expect(attempt).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(attempt).rejects.not.toThrow('Unauthorized');
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
  });

  test.each([['html'], ['invalid-json'], ['empty'], ['hang']] as const)(
    'a broken JWKS (%s) at cold start is JWKS_UNAVAILABLE (503), bounded in time, never a 401',
    async (mode) => {
      h.server.mode = mode;
      const authorizer = h.authorizer();
      await expect(authorizer.authorize(tokenEvent(`Bearer ${rsa()}`))).rejects.toBeInstanceOf(
        JwksUnavailableError,
      );
      expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
    },
  );

  test('a key removed from the JWKS is refused once the key set is refreshed', async () => {
    const authorizer = h.authorizer({}, { jwksMaxAgeMs: 0 });
    await authorizer.authorize(tokenEvent(`Bearer ${signToken(h.keys.ec, claims())}`));
    // That request found the keys stale (max age 0) and refreshed them with the key still published: wait for
    // that refresh here, so that it cannot be taken for the one after the removal.
    await authorizer.jwksCache.settled();
    const saved = h.server.keys;
    h.server.keys = saved.filter((k) => k.kid !== h.keys.ec.kid);
    try {
      const refreshes = () =>
        h.logs.filter((l) => l.includes('"message":"jwks fetched"') && l.includes('"reason":"refresh"'))
          .length;
      const before = refreshes();
      // Served from the stale set once more, which starts a background refresh...
      await authorizer.authorize(tokenEvent(`Bearer ${signToken(h.keys.ec, claims())}`));
      await authorizer.jwksCache.settled();
      expect(refreshes()).toBe(before + 1);
      // ...after which the key is refused.
      await expect(
        authorizer.authorize(tokenEvent(`Bearer ${signToken(h.keys.ec, claims())}`)),
      ).rejects.toThrow(UNAUTHORIZED);
      expect(lastDecision(h.logs).reason).toBe('UNKNOWN_KID');
    } finally {
      h.server.keys = saved;
    }
  });

  test('down at cold start, then back: the next invocation retries and succeeds', async () => {
    h.server.mode = 'down';
    const authorizer = h.authorizer();
    await expect(authorizer.authorize(tokenEvent(`Bearer ${rsa()}`))).rejects.toBeInstanceOf(
      JwksUnavailableError,
    );
    h.server.mode = 'ok';
    const result = await authorizer.authorize(tokenEvent(`Bearer ${rsa()}`));
    expect(result.principalId).toBe('user-1');
  });
});

describe('keys and algorithms', () => {
  /** A key as an issuer that leaves `alg` out of its JWKS publishes it (RFC 7517 §4.4 makes it optional). */
  function withoutAlg(key: TestKey): TestKey {
    const { alg: _alg, ...jwk } = key.jwk;
    return { ...key, jwk };
  }

  async function withKeys<T>(keys: TestKey[], run: () => Promise<T>): Promise<T> {
    const saved = h.server.keys;
    h.server.keys = keys.map((k) => k.jwk);
    try {
      return await run();
    } finally {
      h.server.keys = saved;
    }
  }

  const cases: Array<[string, string, () => [TestKey, string]]> = [
    [
      'an RSA signature labelled ES256, on an RSA key without alg',
      'UNSUPPORTED_ALGORITHM',
      () => {
        const key = withoutAlg(h.newKey('RS256'));
        return [key, signToken(key, claims(), { header: { alg: 'ES256' } })];
      },
    ],
    [
      'ES384 on a P-256 key without alg',
      'UNSUPPORTED_ALGORITHM',
      () => {
        const key = withoutAlg(h.newKey('ES256'));
        return [key, signToken(key, claims(), { header: { alg: 'ES384' } })];
      },
    ],
    [
      'EdDSA on an X25519 key (a key-agreement curve, not a signing one)',
      'UNSUPPORTED_ALGORITHM',
      () => {
        const signer = h.newKey('EdDSA');
        const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }) as Record<
          string,
          string
        >;
        return [{ ...signer, jwk: { ...x25519, kid: signer.kid, use: 'sig' } }, signToken(signer, claims())];
      },
    ],
    [
      'EdDSA on an EC key without alg',
      'UNSUPPORTED_ALGORITHM',
      () => {
        const key = withoutAlg(h.newKey('ES256'));
        return [key, signToken(key, claims(), { header: { alg: 'EdDSA' } })];
      },
    ],
  ];

  test.each(cases)('%s -> %s', async (...[, reason, make]) => {
    const [key, token] = make();
    await withKeys([key], async () => {
      expect(await reasonFor(`Bearer ${token}`)).toBe(reason);
    });
  });

  test.each([['RS384'], ['ES384'], ['EdDSA']] as const)(
    'a %s token verifies with a key that names no alg',
    async (alg) => {
      const key = withoutAlg(h.newKey(alg));
      await withKeys([key], async () => {
        const result = await h.authorizer().authorize(tokenEvent(`Bearer ${signToken(key, claims())}`));
        expect(result.principalId).toBe('user-1');
      });
    },
  );

  test('a kid reused for new key material: the new key counts once the key set is refetched', async () => {
    const before = h.newKey('ES256');
    const after = { ...h.newKey('ES256'), kid: before.kid };
    after.jwk.kid = before.kid;
    await withKeys([before], async () => {
      const authorizer = h.authorizer();
      const first = await authorizer.authorize(tokenEvent(`Bearer ${signToken(before, claims())}`));
      expect(first.principalId).toBe('user-1');
      h.server.keys = [after.jwk];
      // The refetch the max-age refresh would make, made now so that the test does not race it.
      await authorizer.jwksCache.getJwks(h.server.url);
      const result = await authorizer.authorize(tokenEvent(`Bearer ${signToken(after, claims())}`));
      expect(result.principalId).toBe('user-1');
      await expect(authorizer.authorize(tokenEvent(`Bearer ${signToken(before, claims())}`))).rejects.toThrow(
        UNAUTHORIZED,
      );
      expect(lastDecision(h.logs).reason).toBe('BAD_SIGNATURE');
      expect(h.server.requests).toHaveLength(2);
    });
  });
});

describe('events API Gateway would never send', () => {
  test('a malformed methodArn is an authorizer failure, not a 401', async () => {
    const attempt = h
      .authorizer()
      .authorize({ type: 'TOKEN', authorizationToken: `Bearer ${rsa()}`, methodArn: 'nope' });
    await expect(attempt).rejects.toMatchObject({ name: 'InvalidEventError', code: 'INVALID_EVENT' });
  });

  test('a null event is a 401, not a crash', async () => {
    await expect(h.authorizer().authorize(null as never)).rejects.toThrow(UNAUTHORIZED);
  });
});

describe('logs', () => {
  test('never contain the token or its signature', async () => {
    const token = rsa();
    const authorizer = h.authorizer();
    await authorizer.authorize(tokenEvent(`Bearer ${token}`));
    await expect(authorizer.authorize(tokenEvent(`Bearer ${token}x`))).rejects.toThrow(UNAUTHORIZED);
    const [, payload, signature] = token.split('.') as [string, string, string];
    const all = h.logs.join('\n');
    expect(all).not.toContain(signature);
    expect(all).not.toContain(payload);
    expect(h.logs.length).toBeGreaterThanOrEqual(3);
    expect(h.logs.every((l) => typeof JSON.parse(l) === 'object')).toBe(true);
  });

  test('signInput helper produces verifiable input (sanity of the test keys)', () => {
    expect(signInput(h.keys.rsa, 'a.b')).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('an unexpected failure (a bug, not a token or issuer problem)', () => {
  test('is a 5xx that names no cause to the caller, logged as INTERNAL with where it was thrown', async () => {
    const authorizer = h.authorizer(undefined, {
      revocation: {
        check: () => {
          throw new TypeError('revocation store returned garbage');
        },
      },
    });
    await expect(authorizer.authorize(tokenEvent(`Bearer ${rsa()}`))).rejects.toThrow(/^Authorizer failure$/);
    const line = lastDecision(h.logs);
    expect(line).toMatchObject({
      level: 'error',
      decision: 'error',
      reason: 'INTERNAL',
      detail: 'TypeError: revocation store returned garbage',
    });
    // The first frame is the throw above, in this file (jest runs the TypeScript sources, so no map is read).
    expect(String(line.stack).split('\n')[0]).toMatch(
      /^at \S+ \(.*test\/authorizer\/authorizer\.test\.ts:\d+:\d+\)$/,
    );
  });
});
