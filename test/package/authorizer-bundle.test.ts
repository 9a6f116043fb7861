// The prebuilt bundles (the authorizers, the revocation admin function) as the constructs get them from
// sources: built with esbuild into node_modules/.cache/bearer-gate, reused while nothing they were built from
// changes, built again when something does. The installed package's dist/bundles are checked by pack.test.ts.
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  AUTHORIZER_HANDLER,
  authorizerBundleDir,
  bundleDir,
  authorizerBundleCacheDir,
  cachedAuthorizerBundleDir,
  packageRoot,
  type AuthorizerVariant,
} from '../../infra/constructs/authorizer-bundle';

const ROOT = resolve(__dirname, '..', '..');

interface SourceMap {
  readonly sources: readonly string[];
  readonly sourcesContent?: unknown;
}

function readMap(dir: string): SourceMap {
  return JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as SourceMap;
}

describe.each<[AuthorizerVariant, string, string]>([
  ['plain', 'lambda/authorizer/handler-entry.mts', 'lambda/authorizer/handler.ts'],
  ['revocable', 'lambda/authorizer/revocable-handler-entry.mts', 'lambda/authorizer/revocable-handler.ts'],
])('the %s bundle built from this repository', (variant, entry, handlerModule) => {
  let dir: string;
  let code: string;
  let map: SourceMap;

  beforeAll(() => {
    dir = authorizerBundleDir(variant);
    code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    map = readMap(dir);
  });

  test('is index.mjs and its map, in the cache, and the same directory on every call', () => {
    expect(dir.startsWith(authorizerBundleCacheDir(ROOT) + '/')).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(authorizerBundleDir(variant)).toBe(dir);
  });

  test(`exports handler (${AUTHORIZER_HANDLER}), minified ESM that never needs require()`, () => {
    expect(code).toMatch(/export\{[\w$]+ as handler\};/);
    // The init warm-up (JWKS_WARM_UP), awaited at the top level when there is one: Lambda's init waits for it.
    expect(code).toMatch(/([\w$]+)!==void 0&&await \1;export\{[\w$]+ as handler\};/);
    expect(code).not.toContain('Dynamic require of');
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    // Minified: a few long lines (the newlines left are inside template literals), not one statement a line.
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
  });

  test('maps to the TypeScript sources, without carrying them', () => {
    expect(map.sourcesContent).toBeUndefined();
    // The ES module entry (its top-level await of the init warm-up) and the handler module it re-exports.
    expect(
      map.sources
        .filter((s) => /handler(-entry)?\.m?ts$/.test(s))
        .map((s) => s.split('/').slice(-3).join('/'))
        .sort(),
    ).toEqual([entry, handlerModule].sort());
  });

  test('loads node:https only to fetch, and carries none of aws-jwt-verify it does not use', () => {
    // A seeded cold start decides its first request without a fetch: nothing may load HTTPS, TLS or
    // sockets at import. aws-jwt-verify's own fetcher (imported by aws-jwt-verify/jwk, whose JWK check
    // the authorizer uses) must be left out of the bundle, not merely left unused.
    const staticImports = new Set([...code.matchAll(/import\{[^}]*\}from"([^"]+)"/g)].map((m) => m[1]));
    expect([...staticImports].sort()).toEqual(['node:crypto', 'node:fs', 'node:path']);
    expect(code.match(/import\("node:https"\)/g)).toEqual(['import("node:https")']);
    // TRUSTED_CA_FILE's certificates join Node's roots (node:tls) on the first fetch too.
    expect(code.match(/import\("node:tls"\)/g)).toEqual(['import("node:tls")']);
    expect(
      map.sources
        .filter((s) => s.includes('aws-jwt-verify/dist/esm/'))
        .map((s) => s.replace(/^.*aws-jwt-verify\/dist\/esm\//, ''))
        .sort(),
    ).toEqual(['assert.js', 'error.js', 'jwk.js', 'jwt.js']);
  });

  test('imports the AWS SDK only lazily and only with revocation, leaving it to the Lambda runtime', () => {
    // The revocation check and the DPoP replay table each import the client lazily.
    const sdkImports = [...new Set(code.match(/import\("@aws-sdk\/[a-z-]+"\)/g) ?? [])];
    expect(sdkImports).toEqual(variant === 'revocable' ? ['import("@aws-sdk/client-dynamodb")'] : []);
    expect(map.sources.some((s) => s.includes('node_modules/@aws-sdk/'))).toBe(false);
  });
});

describe("the revocation admin function's bundle built from this repository", () => {
  let dir: string;
  let code: string;
  let map: SourceMap;

  beforeAll(() => {
    dir = bundleDir('revocation-admin');
    code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    map = readMap(dir);
  });

  test('is index.mjs and its map in the cache, exporting handler as minified ESM that never needs require()', () => {
    expect(dir.startsWith(join(authorizerBundleCacheDir(ROOT), 'revocation-admin-'))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(code).toMatch(/export\{[\w$]+ as handler\};/);
    expect(code).not.toContain('Dynamic require of');
    expect(map.sourcesContent).toBeUndefined();
    expect(
      map.sources.filter((s) => s.endsWith('create.ts')).map((s) => s.split('/').slice(-3).join('/')),
    ).toEqual(['lambda/revocation/create.ts']);
  });

  test("leaves the AWS SDK to the Lambda runtime, and carries nothing of the sample app's routes or items", () => {
    const staticImports = new Set([...code.matchAll(/import\{[^}]*\}from"([^"]+)"/g)].map((m) => m[1]));
    expect([...staticImports].filter((i) => i?.startsWith('@aws-sdk/')).sort()).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
    ]);
    expect(map.sources.some((s) => s.includes('node_modules/@aws-sdk/'))).toBe(false);
    expect(map.sources.filter((s) => /lambda\/(routes|items)\//.test(s))).toEqual([]);
    expect(code).not.toContain('ListItems');
  });
});

describe('the cache', () => {
  let root: string;

  beforeEach(() => {
    // A package of its own, so that the test can change its sources: the bundle's entry, the handler it
    // re-exports, a module that imports, and esbuild linked from this repository.
    root = mkdtempSync(join(tmpdir(), 'bearer-gate-bundle-cache-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bearer-gate' }));
    mkdirSync(join(root, 'lambda', 'authorizer'), { recursive: true });
    writeFileSync(
      join(root, 'lambda', 'authorizer', 'handler-entry.mts'),
      "export { handler } from './handler.js';\n",
    );
    writeFileSync(
      join(root, 'lambda', 'authorizer', 'handler.ts'),
      "import { greeting } from './greeting';\nexport const handler = async (): Promise<string> => greeting;\n",
    );
    writeFileSync(join(root, 'lambda', 'authorizer', 'greeting.ts'), "export const greeting = 'first';\n");
    mkdirSync(join(root, 'node_modules'));
    symlinkSync(join(ROOT, 'node_modules', 'esbuild'), join(root, 'node_modules', 'esbuild'), 'dir');
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const builds = (from = root): string[] =>
    readdirSync(authorizerBundleCacheDir(from)).filter((entry) => entry.startsWith('plain-'));

  test('reuses a build while nothing it was built from has changed', () => {
    const first = cachedAuthorizerBundleDir('plain', root);
    const builtAt = statSync(join(first, 'index.mjs')).mtimeMs;

    expect(cachedAuthorizerBundleDir('plain', root)).toBe(first);
    expect(statSync(join(first, 'index.mjs')).mtimeMs).toBe(builtAt);
    expect(builds()).toEqual([first.split('/').pop()]);
  });

  test('builds again when an imported source changes, and removes the old build', () => {
    const first = cachedAuthorizerBundleDir('plain', root);
    writeFileSync(join(root, 'lambda', 'authorizer', 'greeting.ts'), "export const greeting = 'second';\n");

    const second = cachedAuthorizerBundleDir('plain', root);

    expect(second).not.toBe(first);
    expect(readFileSync(join(second, 'index.mjs'), 'utf8')).toContain('"second"');
    expect(builds()).toEqual([second.split('/').pop()]);
  });

  test('builds again when only a comment moves the code: the code is the same, its map is not', () => {
    const first = cachedAuthorizerBundleDir('plain', root);
    const firstCode = readFileSync(join(first, 'index.mjs'), 'utf8');
    const firstMap = readMap(first);
    writeFileSync(
      join(root, 'lambda', 'authorizer', 'greeting.ts'),
      "// A comment that moves the code one line down.\nexport const greeting = 'first';\n",
    );

    const second = cachedAuthorizerBundleDir('plain', root);

    expect(second).not.toBe(first);
    expect(readFileSync(join(second, 'index.mjs'), 'utf8')).toBe(firstCode);
    expect(readMap(second)).not.toEqual(firstMap);
  });

  test('keeps a cache per checkout: two checkouts sharing one node_modules keep their own builds', () => {
    // A second checkout of the same package whose node_modules is a link to the first one's, as git worktrees
    // are set up; its greeting differs, so its bundle does.
    const other = mkdtempSync(join(tmpdir(), 'bearer-gate-bundle-cache-other-'));
    try {
      writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'bearer-gate' }));
      mkdirSync(join(other, 'lambda', 'authorizer'), { recursive: true });
      for (const file of ['handler-entry.mts', 'handler.ts', 'greeting.ts']) {
        const text = readFileSync(join(root, 'lambda', 'authorizer', file), 'utf8');
        writeFileSync(join(other, 'lambda', 'authorizer', file), text.replace("'first'", "'other'"));
      }
      symlinkSync(join(root, 'node_modules'), join(other, 'node_modules'), 'dir');

      const mine = cachedAuthorizerBundleDir('plain', root);
      const theirs = cachedAuthorizerBundleDir('plain', other);

      expect(authorizerBundleCacheDir(other)).not.toBe(authorizerBundleCacheDir(root));
      expect(readFileSync(join(mine, 'index.mjs'), 'utf8')).toContain('"first"');
      expect(readFileSync(join(theirs, 'index.mjs'), 'utf8')).toContain('"other"');
      // Neither build removed the other's, and each checkout reuses its own.
      expect([builds(), builds(other)]).toEqual([[mine.split('/').pop()], [theirs.split('/').pop()]]);
      expect(cachedAuthorizerBundleDir('plain', root)).toBe(mine);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test('finds the package root from any folder below it', () => {
    expect(packageRoot(join(root, 'lambda', 'authorizer'))).toBe(root);
    expect(packageRoot(__dirname)).toBe(ROOT);
  });

  test.each([
    [
      'an unknown bundle',
      () => cachedAuthorizerBundleDir('token' as AuthorizerVariant, root),
      () => 'bearer-gate: unknown bundle "token"; use "plain", "revocable" or "revocation-admin".',
    ],
    [
      'an unknown authorizer variant, even one that names another bundle',
      () => authorizerBundleDir('revocation-admin' as AuthorizerVariant),
      () => 'bearer-gate: unknown authorizer variant "revocation-admin"; use "plain" or "revocable".',
    ],
    [
      'sources without esbuild',
      () => {
        rmSync(join(root, 'node_modules', 'esbuild'));
        return cachedAuthorizerBundleDir('plain', root);
      },
      () =>
        `bearer-gate: building the authorizer bundle from sources needs esbuild (a devDependency), and it cannot be found from ${root}. Run \`npm ci\` in the repository, or install the built package.`,
    ],
    [
      'sources esbuild cannot build',
      () => {
        writeFileSync(join(root, 'lambda', 'authorizer', 'handler.ts'), 'export const handler = ;\n');
        return cachedAuthorizerBundleDir('plain', root);
      },
      () =>
        'bearer-gate: esbuild could not build lambda/authorizer/handler-entry.mts (exit 1): Build failed with 1 error:\n' +
        'lambda/authorizer/handler.ts:1:23: ERROR: Unexpected ";"',
    ],
    [
      'a folder outside any bearer-gate package',
      () => packageRoot(tmpdir()),
      () =>
        `bearer-gate: no package.json named "bearer-gate" at or above ${tmpdir()}; reinstall the package.`,
    ],
  ])('%s is refused with a message that says what to do', (_case, run, message) => {
    expect(run).toThrow(message());
  });
});
