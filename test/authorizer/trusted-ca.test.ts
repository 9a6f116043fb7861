// TRUSTED_CA_FILE: a private CA trusted for the JWKS and discovery fetches besides Node's roots, without
// NODE_EXTRA_CA_CERTS. Real certificates (a throwaway CA and a server certificate it issued), a real HTTPS JWKS
// server on 127.0.0.1, and real cold starts in fresh processes that do not inherit jest's NODE_EXTRA_CA_CERTS.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  TRUSTED_CA_MAX_BYTES,
  filesBesideHandler,
  parseConfig,
  type AuthorizerConfig,
} from '../../lambda/authorizer';
import { AUTHORIZER_BUNDLE_FILE, authorizerBundleDir } from '../../infra/constructs/authorizer-bundle';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { BoundedFetcher, trustedSecureContext } from '../../lambda/authorizer/https-fetcher';
import { toRouteRules } from '../../lambda/routes';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { claims, createKey, signToken } from '../support/keys';
import {
  createCaCertificate,
  createIntermediateCa,
  createPrivateCa,
  createSelfSignedServer,
  type PrivateCa,
} from '../support/private-ca';

const key = createKey('ES256');
const ROUTES = JSON.stringify(toRouteRules());
let pki: PrivateCa;
let server: JwksServer;
/** The handler's directory: TRUSTED_CA_FILE and JWKS_SEED_FILE are read relative to it. */
let taskRoot: string;

beforeAll(async () => {
  pki = await createPrivateCa();
  server = await startJwksServer([key.jwk], pki.server);
  taskRoot = mkdtempSync(join(tmpdir(), 'bearer-gate-trusted-ca-'));
  writeFileSync(join(taskRoot, 'trusted-ca.pem'), pki.ca.cert);
  writeFileSync(join(taskRoot, 'jwks-seed.json'), JSON.stringify({ [server.url]: { keys: [key.jwk] } }));
});
afterAll(async () => {
  await server.close();
  rmSync(taskRoot, { recursive: true, force: true });
});

/** OpenSSL's own PEM of a certificate, as the configuration holds it. */
const canonical = (pem: string): string => new X509Certificate(pem).toString();

const env = (more: Record<string, string> = {}) => ({
  ISSUER: 'https://issuer.test',
  AUDIENCE: 'https://api.test',
  JWKS_URI: server.url,
  ROUTES,
  ...more,
});

/** parseConfig with these files beside the handler (name to text). */
function configWith(files: Record<string, string>, file = 'ca.pem'): AuthorizerConfig {
  return parseConfig(env({ TRUSTED_CA_FILE: file }), {
    read: (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    },
  });
}

describe('parseConfig reads TRUSTED_CA_FILE at init', () => {
  test('absent: null, and the fetcher trusts Node roots only', () => {
    expect(parseConfig(env()).trustedCa).toBeNull();
  });

  test('a bundle: every certificate, in file order, with text around the blocks ignored', async () => {
    const second = await createCaCertificate('bearer-gate second CA');
    const bundle = `# Corp root\n${pki.ca.cert}\nsubject=CN=bearer-gate second CA\n${second.cert}`;
    const config = configWith({ 'ca.pem': bundle });
    expect(config.trustedCa).toEqual({
      file: 'ca.pem',
      certificates: [canonical(pki.ca.cert), canonical(second.cert)],
    });
    expect(Object.isFrozen(config.trustedCa)).toBe(true);
    expect(Object.isFrozen(config.trustedCa?.certificates)).toBe(true);
  });

  test('a path relative to the handler directory, as on Lambda (LAMBDA_TASK_ROOT)', () => {
    const config = parseConfig(env({ TRUSTED_CA_FILE: 'trusted-ca.pem' }), filesBesideHandler(taskRoot));
    expect(config.trustedCa).toEqual({ file: 'trusted-ca.pem', certificates: [canonical(pki.ca.cert)] });
  });

  test("a server's own self-signed certificate (not a CA's) is its own trust anchor: accepted, and it works", async () => {
    const selfSigned = await createSelfSignedServer();
    expect(new X509Certificate(selfSigned.cert).ca).toBe(false);
    const config = configWith({ 'ca.pem': selfSigned.cert });
    expect(config.trustedCa?.certificates).toEqual([canonical(selfSigned.cert)]);
    const own = await startJwksServer([key.jwk], selfSigned);
    try {
      const fetcher = new BoundedFetcher({
        timeoutMs: 1000,
        trustedCertificates: config.trustedCa?.certificates,
      });
      expect(JSON.parse(Buffer.from(await fetcher.fetch(own.url)).toString('utf8'))).toEqual({
        keys: [key.jwk],
      });
    } finally {
      await own.close();
    }
  });

  test('an intermediate CA with the root that issued it: accepted, and a server its leaf is fetched from', async () => {
    const intermediate = await createIntermediateCa(pki.ca);
    const behindIntermediate = await createPrivateCa(intermediate);
    const config = configWith({ 'ca.pem': pki.ca.cert + intermediate.cert });
    expect(config.trustedCa?.certificates).toEqual([canonical(pki.ca.cert), canonical(intermediate.cert)]);
    const other = await startJwksServer([key.jwk], behindIntermediate.server);
    try {
      const fetcher = new BoundedFetcher({
        timeoutMs: 1000,
        trustedCertificates: config.trustedCa?.certificates,
      });
      expect(JSON.parse(Buffer.from(await fetcher.fetch(other.url)).toString('utf8'))).toEqual({
        keys: [key.jwk],
      });
      // Without the root, OpenSSL would not end the chain at the intermediate: the file is refused for it.
      expect(() => configWith({ 'ca.pem': intermediate.cert })).toThrow(
        'TRUSTED_CA_FILE: ' +
          '"ca.pem" has a certificate (number 1, CN=bearer-gate test intermediate CA) of an intermediate CA ' +
          'without the CA that issued it (CN=bearer-gate test private CA): TLS verification ends a chain only ' +
          'at a root, so add the certificate of the CA that issued it to the file',
      );
      await expect(
        new BoundedFetcher({ timeoutMs: 1000, trustedCertificates: [intermediate.cert] }).fetch(other.url),
      ).rejects.toThrow('unable to get issuer certificate');
    } finally {
      await other.close();
    }
  });

  test('an expired CA is kept at init: it fails only the fetches that need it (synth refuses it)', async () => {
    const day = 24 * 3600_000;
    const expired = await createCaCertificate(
      'expired CA',
      new Date(Date.now() - 30 * day),
      new Date(Date.now() - day),
    );
    const config = configWith({ 'ca.pem': expired.cert });
    expect(config.trustedCa?.certificates).toEqual([canonical(expired.cert)]);
    const behindExpired = await createPrivateCa(expired);
    const other = await startJwksServer([key.jwk], behindExpired.server);
    try {
      const fetcher = new BoundedFetcher({
        timeoutMs: 1000,
        trustedCertificates: config.trustedCa?.certificates,
      });
      await expect(fetcher.fetch(other.url)).rejects.toThrow(new Error('certificate has expired'));
    } finally {
      await other.close();
    }
  });

  describe('a file that cannot be trusted fails the init, naming the variable, the file and what is wrong', () => {
    const block = (body: string, label = 'CERTIFICATE') =>
      `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
    const cases: Array<[string, () => Record<string, string>, string]> = [
      [
        'a missing file',
        () => ({}),
        `TRUSTED_CA_FILE: names "ca.pem", which cannot be read: ENOENT: no such file, open 'ca.pem'`,
      ],
      [
        'an empty file',
        () => ({ 'ca.pem': '' }),
        'TRUSTED_CA_FILE: "ca.pem" has no certificate: it must hold at least one -----BEGIN CERTIFICATE----- block (PEM)',
      ],
      [
        'text without a certificate (DER, or the wrong file)',
        () => ({ 'ca.pem': 'subject=CN=Corp Root CA\nissuer=CN=Corp Root CA\n' }),
        'TRUSTED_CA_FILE: "ca.pem" has no certificate: it must hold at least one -----BEGIN CERTIFICATE----- block (PEM)',
      ],
      [
        'a block that is not a certificate',
        () => ({ 'ca.pem': block('AAAA') }),
        'TRUSTED_CA_FILE: "ca.pem" has a certificate (number 1) that does not parse: ' +
          'error:068000A8:asn1 encoding routines::wrong tag',
      ],
      [
        'a second certificate cut short',
        () => ({ 'ca.pem': pki.ca.cert + pki.ca.cert.slice(0, 200) }),
        'TRUSTED_CA_FILE: "ca.pem" has a certificate (number 2) without its -----END CERTIFICATE----- line',
      ],
      [
        'a private key beside the certificate',
        () => ({ 'ca.pem': pki.ca.cert + pki.ca.key }),
        'TRUSTED_CA_FILE: "ca.pem" has a "PRIVATE KEY" block: only CERTIFICATE blocks belong in it ' +
          '(and a private key never ships with the code)',
      ],
      [
        "the issuer's server certificate instead of its CA",
        () => ({ 'ca.pem': pki.server.cert }),
        'TRUSTED_CA_FILE: "ca.pem" has a certificate (number 1, CN=127.0.0.1) that is neither a CA\'s nor ' +
          'self-signed, so no chain can end at it: put the CA certificate that issued it in the file instead',
      ],
      [
        'a file over the size cap',
        () => ({ 'ca.pem': '#'.repeat(TRUSTED_CA_MAX_BYTES + 1) }),
        'TRUSTED_CA_FILE: "ca.pem" is 262145 bytes, over the 262144-byte limit; keep only the CAs that issued ' +
          "the issuers' TLS certificates",
      ],
    ];

    test.each(cases)('%s', (_name, files, message) => {
      let error: unknown;
      try {
        configWith(files());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect([(error as ConfigError).variable, (error as ConfigError).message]).toEqual([
        'TRUSTED_CA_FILE',
        message,
      ]);
    });
  });
});

describe('BoundedFetcher with trustedCertificates', () => {
  test("without the CA, the issuer's certificate is refused", async () => {
    await expect(new BoundedFetcher({ timeoutMs: 1000 }).fetch(server.url)).rejects.toThrow(
      'unable to verify the first certificate',
    );
  });

  test('with the CA, the JWKS is fetched, again and again on the one TLS context', async () => {
    const fetcher = new BoundedFetcher({ timeoutMs: 1000, trustedCertificates: [pki.ca.cert] });
    for (let i = 0; i < 2; i++) {
      expect(JSON.parse(Buffer.from(await fetcher.fetch(server.url)).toString('utf8'))).toEqual({
        keys: [key.jwk],
      });
    }
  });

  /** The JWKS fetched over a connection that trusts exactly what `secureContext` trusts. */
  function getWith(secureContext: tls.SecureContext): Promise<unknown> {
    return new Promise((resolve, reject) => {
      https
        .get(server.url, { agent: new https.Agent({ secureContext }) }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
          res.on('end', () => resolve(JSON.parse(body)));
        })
        .on('error', reject);
    });
  }

  test("on this Node the CA joins the default context's root store: no second parse of the roots", async () => {
    const made: unknown[] = [];
    const context = trustedSecureContext(
      {
        rootCertificates: tls.rootCertificates,
        createSecureContext: (options) => {
          made.push(options);
          return tls.createSecureContext(options);
        },
      },
      [pki.ca.cert],
    );
    expect(made).toEqual([undefined]);
    await expect(getWith(context)).resolves.toEqual({ keys: [key.jwk] });
    // The CA joined this context only: a default context, and the default agent, still refuse the issuer.
    await expect(getWith(tls.createSecureContext())).rejects.toThrow(
      'unable to verify the first certificate',
    );
    await expect(new BoundedFetcher({ timeoutMs: 1000 }).fetch(server.url)).rejects.toThrow(
      'unable to verify the first certificate',
    );
  });

  test("where Node's native context cannot take a certificate, the roots and the CA are passed as ca", async () => {
    const made: unknown[] = [];
    const context = trustedSecureContext(
      {
        rootCertificates: tls.rootCertificates,
        // A SecureContext without its native half, as a Node that no longer exposes it would give.
        createSecureContext: (options) => {
          made.push(options);
          return options === undefined ? ({} as tls.SecureContext) : tls.createSecureContext(options);
        },
      },
      [pki.ca.cert],
    );
    expect(made).toEqual([undefined, { ca: [...tls.rootCertificates, pki.ca.cert] }]);
    await expect(getWith(context)).resolves.toEqual({ keys: [key.jwk] });
  });

  test('ca (trust only it) and trustedCertificates (trust it too) cannot be combined', () => {
    expect(
      () => new BoundedFetcher({ timeoutMs: 1000, ca: pki.ca.cert, trustedCertificates: [pki.ca.cert] }),
    ).toThrow(
      new Error('BoundedFetcher: pass ca (trust only it) or trustedCertificates (trust it too), not both'),
    );
  });
});

describe('a cold start of the Lambda bundle in a fresh process, without NODE_EXTRA_CA_CERTS', () => {
  /**
   * The bundle, as Lambda runs it: the sources still import aws-jwt-verify's own fetcher (and with it
   * node:https), which the bundle leaves out.
   */
  let bundle: string;
  beforeAll(() => {
    bundle = join(authorizerBundleDir('plain'), AUTHORIZER_BUNDLE_FILE);
  });

  // Asynchronous on purpose: the JWKS server runs in this process and must keep answering.
  async function coldStart(more: Record<string, string>, tokens: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'cold-start.ts')], {
      env: {
        PATH: process.env.PATH,
        TMPDIR: process.env.TMPDIR,
        LAMBDA_TASK_ROOT: taskRoot,
        LOG_LEVEL: 'error',
        HANDLER_MODULE: bundle,
        TOKENS: JSON.stringify(tokens),
        ...env(more),
      },
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = (prefix: string) =>
      stderr
        .split('\n')
        .filter((l) => l.startsWith(prefix))
        .map((l) => JSON.parse(l.slice(prefix.length)) as Record<string, unknown>);
    const logs = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { status, stderr, results: lines('RESULT '), loaded: lines('LOADED '), logs };
  }

  test('with TRUSTED_CA_FILE naming the CA, the JWKS is fetched and the token authorized', async () => {
    const { status, results, loaded } = await coldStart({ TRUSTED_CA_FILE: 'trusted-ca.pem' }, [
      signToken(key, claims({ sub: 'user-ca' })),
    ]);
    expect(status).toBe(0);
    expect(results).toEqual([{ ok: true, principalId: 'user-ca' }]);
    // The probe sees the modules once a fetch has loaded them.
    expect(loaded).toContainEqual({ when: 'end', modules: ['https', 'tls'] });
  });

  test('without it, the fetch is refused: JWKS_UNAVAILABLE (503), never a 401', async () => {
    const { status, results, logs } = await coldStart({}, [signToken(key, claims())]);
    expect(status).toBe(0);
    // OpenSSL's reason, and the hint about --use-system-ca that Node (22 and later) appends to it.
    const refused =
      /^unable to verify the first certificate; if the root CA is installed locally, try running Node\.js with --use-system-ca$/;
    expect(results).toEqual([
      {
        ok: false,
        name: 'JwksUnavailableError',
        message: expect.stringMatching(
          new RegExp(`^JWKS at ${server.url.replace(/[.]/g, '\\.')} unavailable: ${refused.source.slice(1)}`),
        ),
      },
    ]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'jwks fetch failed',
        code: 'JWKS_UNAVAILABLE',
        jwksUri: server.url,
        fetchReason: 'cold',
        error: expect.stringMatching(refused),
      }),
    );
  });

  test('a seeded init with TRUSTED_CA_FILE loads neither node:https nor node:tls', async () => {
    const { status, results, loaded } = await coldStart(
      { TRUSTED_CA_FILE: 'trusted-ca.pem', JWKS_SEED_FILE: 'jwks-seed.json' },
      [signToken(key, claims({ sub: 'user-seeded' }))],
    );
    expect(status).toBe(0);
    expect(results).toEqual([{ ok: true, principalId: 'user-seeded' }]);
    expect(loaded[0]).toEqual({ when: 'init', modules: [] });
  });

  test('a bad TRUSTED_CA_FILE fails the init, naming the variable and the file', async () => {
    writeFileSync(join(taskRoot, 'leaf.pem'), pki.server.cert);
    const { status, stderr, results } = await coldStart({ TRUSTED_CA_FILE: 'leaf.pem' }, [
      signToken(key, claims()),
    ]);
    expect(status).not.toBe(0);
    expect(stderr).toContain('ConfigError');
    expect(stderr).toContain(
      'TRUSTED_CA_FILE: "leaf.pem" has a certificate (number 1, CN=127.0.0.1) that is neither a CA\'s nor ' +
        'self-signed, so no chain can end at it: put the CA certificate that issued it in the file instead',
    );
    expect(results).toEqual([]);
  });
});
