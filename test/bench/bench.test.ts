// Smoke test of `npm run bench -- --quick`: the harness runs end to end and prints every table with the
// expected rows and well-formed cells. It asserts no timing and no target: those are read, not tested.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizerBundleDir, type AuthorizerVariant } from 'bearer-gate';
// Only the pure modules: bench/index also reaches jwks-rsa, which loads jose, which jest's CommonJS runtime
// cannot load (ESM only). The bench itself runs under tsx in a child process.
import { buildDeployedBundle } from '../../bench/bundle';
import { BenchUsageError, parseBenchArgs } from '../../bench/options';
import { runBenchScript, runQuickBench, table, type BenchRun } from './quick-bench';

const DECIMAL = /^\d{1,3}(,\d{3})*\.\d$/;
const RATIO = /^-?\d+\.\d\dx$/;
const BYTES = /^\d{1,3}(,\d{3})* B$/;

describe('npm run bench -- --quick', () => {
  let report = '';

  beforeAll(async () => {
    const run = await runQuickBench();
    if (run.code !== 0) throw new Error(`bench exited with ${run.code}: ${run.stderr}`);
    report = run.stdout;
  }, 180_000);

  // The bench runs in a child of this process's binary: under npm scripts, the pinned Node of the Lambda.
  test('says which Node.js it ran on', () => {
    expect(report.split('\n')[2]).toMatch(
      new RegExp(
        `^Machine: \\d+ CPUs \\(.+\\), Node\\.js ${process.version.replace(/\./g, '\\.')}, load average at start `,
      ),
    );
  });

  test('warm table: every candidate and the logging rows, for RS256 and ES256', () => {
    const [header, ...rows] = table(report, 'Warm: cost per token');
    expect(header).toEqual(['alg', 'candidate', 'µs/token', 'x floor', 'x aws-jwt-verify']);
    expect(rows).toHaveLength(20);
    for (const alg of ['RS256', 'ES256']) {
      const own = rows.filter((r) => r[0] === alg);
      expect(own.map((r) => r[1])).toEqual([
        'floor: node:crypto verify + JSON.parse',
        'aws-jwt-verify alone (verify)',
        'our handler, LOG_LEVEL=error (errors only)',
        'our handler, LOG_LEVEL=info (production default)',
        'our handler, LOG_LEVEL=info, lines built but not written',
        'jose (jwtVerify + createRemoteJWKSet)',
        'jsonwebtoken + jwks-rsa (auth0 sample)',
        'logging cost: info minus errors only (one JSON line per decision)',
        'of which building the line: unwritten minus errors only',
        'of which writing it: info minus unwritten (one write syscall)',
      ]);
      for (const row of own.slice(0, 7)) {
        expect(row[2]).toMatch(DECIMAL);
        expect(row[3]).toMatch(RATIO);
      }
      expect(own.filter((r) => r[4] !== '').map((r) => r[4])).toEqual([
        expect.stringMatching(RATIO),
        expect.stringMatching(RATIO),
        expect.stringMatching(RATIO),
      ]);
      for (const row of own.slice(7)) expect(row[2]).toMatch(/^-?[\d,]+\.\d$/);
    }
  });

  test('cold start table: bundle sizes, process times and JWKS fetches', () => {
    const [header, ...rows] = table(report, 'Cold start');
    expect(header).toEqual(['measure', 'value']);
    expect(rows.map((r) => r[0])).toEqual([
      'bundle as deployed (index.mjs, minified), revocation off',
      'bundle as deployed, revocation on (revocable-handler.ts)',
      'of which revocation code (only in the revocation-on bundle)',
      'loaded lazily when on: @aws-sdk/client-dynamodb from the runtime (size if bundled, minified)',
      'source map (index.mjs.map, read only to log an INTERNAL failure, or at load under --enable-source-maps)',
      'bare `node -e 0` (median of 2)',
      'bare `node -e 0` with NODE_EXTRA_CA_CERTS (the baseline of runs before 2026-11-30)',
      'floor: a minimal handler module instead of the bundle (node:https JWKS GET at import, one RS256 verify)',
      'fresh process: load bundle + first authorization incl. JWKS fetch, as deployed',
      'the same with NODE_OPTIONS=--enable-source-maps',
      'JWKS fetches per cold start',
    ]);
    for (const row of rows.slice(0, 5)) expect(row[1]).toMatch(BYTES);
    expect(rows[5]?.[1]).toMatch(/^[\d,]+\.\d ms$/);
    expect(rows[6]?.[1]).toMatch(/^[\d,]+\.\d ms \([+-][\d,]+\.\d ms\)$/);
    expect(rows[7]?.[1]).toMatch(/^[\d,]+\.\d ms \(\d+\.\d\dx bare\)$/);
    expect(rows[8]?.[1]).toMatch(/^[\d,]+\.\d ms \(\d+\.\d\dx bare, \d+\.\d\dx floor\)$/);
    expect(rows[9]?.[1]).toMatch(/^[\d,]+\.\d ms \(\d+\.\d\dx bare\)$/);
    expect(rows[10]?.[1]).toMatch(/^\d+ of 2 processes made exactly 1 \(min \d+, max \d+\)$/);
  });

  test('seeded cold start table: near, far and down, the levers, each with its outcome', () => {
    const [header, ...rows] = table(report, 'Cold start with a JWKS seed');
    expect(header).toEqual(['cold start', 'ready', 'added', 'outcome']);
    const READY = /^[\d,]+\.\d ms \(\d+\.\d\dx bare\)$/;
    const ADDED = /^[+-][\d,]+\.\d ms/;
    expect(rows.map((r) => r[0])).toEqual([
      'unseeded, JWKS on loopback (the "as deployed" row above)',
      'seeded, JWKS on loopback',
      'seeded floor: a minimal handler module instead of the bundle (keys read from the seed file at import, one RS256 verify; no network)',
      "seeded, V8's compile cache made at build time and shipped beside the bundle (a hit: the same Node.js and user id as the build)",
      'seeded, the bundle plus a never-called copy of the whole authorizer (what code that never runs costs)',
      'seeded, with NODE_OPTIONS=--enable-source-maps',
      'seeded, NODE_EXTRA_CA_CERTS instead of TRUSTED_CA_FILE, ratio to bare node with it too (the baseline of runs before 2026-11-30, which also ran with --enable-source-maps)',
      'seeded, JWKS 50 ms away',
      'unseeded, JWKS 50 ms away',
      'seeded, issuer down at cold start',
      'unseeded, issuer down at cold start',
    ]);
    for (const row of rows.filter((_, i) => i !== 6)) expect(row[1]).toMatch(READY);
    expect(rows[6]?.[1]).toMatch(/^[\d,]+\.\d ms \(\d+\.\d\dx bare with it\)$/);
    expect(rows.map((r) => r[2] === '' || ADDED.test(r[2] as string))).toEqual(rows.map(() => true));
    for (const at of [3, 4]) {
      expect(rows[at]?.[2]).toMatch(/^[+-][\d,]+\.\d ms vs seeded on loopback \(CPU [+-][\d,]+\.\d ms\)$/);
    }
    expect(rows[5]?.[2]).toMatch(/^[+-][\d,]+\.\d ms vs seeded on loopback$/);
    // The sign is a measurement, not the harness's: a quick run on a busy machine can show either.
    expect(rows[8]?.[2]).toMatch(/^[+-][\d,]+\.\d ms \(-?\d+\.\d round trips\) vs unseeded on loopback$/);
    expect(rows.map((r) => r[3])).toEqual([
      ...rows.slice(0, -1).map(() => 'allow 2/2'),
      'error JWKS_UNAVAILABLE 2/2 (API Gateway: 503)',
    ]);
  });

  test('runtime table: each invocation after a freeze, seeded (a fresh, an old and an aging seed) and unseeded, and when the live JWKS replaced the seed', () => {
    const [header, ...rows] = table(report, 'Cold start with a JWKS seed', 1);
    expect(header).toEqual([
      'invocation (JWKS on loopback)',
      'seeded, seed 1 min old',
      'seeded, seed 1 h old',
      'seeded, seed stale at 4',
      'unseeded',
      'added, seed 1 min old',
      'added, seed 1 h old',
      'added, seed stale at 4',
    ]);
    expect(rows.map((r) => r[0])).toEqual([
      '1 (the cold start, from the import)',
      '2 (from the thaw)',
      '3 (from the thaw)',
      '4 (from the thaw)',
      '5 (from the thaw)',
      '6 (from the thaw)',
      'the live JWKS replaced the seed, after answer (median)',
    ]);
    for (const row of rows.slice(0, 6)) {
      expect(row.slice(1)).toEqual([
        expect.stringMatching(/^[\d,]+\.\d ms$/),
        expect.stringMatching(/^[\d,]+\.\d ms$/),
        expect.stringMatching(/^[\d,]+\.\d ms$/),
        expect.stringMatching(/^[\d,]+\.\d ms$/),
        expect.stringMatching(/^[+-][\d,]+\.\d ms$/),
        expect.stringMatching(/^[+-][\d,]+\.\d ms$/),
        expect.stringMatching(/^[+-][\d,]+\.\d ms$/),
      ]);
    }
    // A seed younger than the refresh age is never refreshed; an older one is replaced in both quick-run processes.
    // One that turns stale before request 4 starts its refresh there, which may land after the last request.
    expect(rows[6]?.slice(1)).toEqual([
      'never (0/2 processes)',
      expect.stringMatching(/^\d+\.\d \(2\/2 processes\)$/),
      expect.stringMatching(/^(never \(0\/2 processes\)|\d+\.\d \([12]\/2 processes\))$/),
      '',
      '',
      '',
      '',
    ]);
  });

  test('provisioned table: each invocation after an init ahead of traffic, with an hour-old and a fresh seed and without a warm-up, and when the live JWKS replaced the seed', () => {
    const [header, ...rows] = table(report, 'Cold start with a JWKS seed', 2);
    expect(header).toEqual([
      'invocation (JWKS on loopback)',
      'provisioned, seed 1 min old',
      'provisioned, seed 1 h old',
      'provisioned, no warm-up (JWKS_WARM_UP off)',
      'unseeded warm (requests 2-6)',
      'added, seed 1 min old',
      'added, seed 1 h old',
      'added, no warm-up (JWKS_WARM_UP off)',
    ]);
    expect(rows.map((r) => r[0])).toEqual([
      '1 (the first request, from the thaw after the init)',
      '2 (from the thaw)',
      '3 (from the thaw)',
      '4 (from the thaw)',
      '5 (from the thaw)',
      '6 (from the thaw)',
      'the live JWKS replaced the seed, after answer (median; 0: during the init)',
    ]);
    for (const row of rows.slice(0, 6)) {
      expect(row.slice(1)).toEqual([
        ...Array(4).fill(expect.stringMatching(/^[\d,]+\.\d ms$/)),
        ...Array(3).fill(expect.stringMatching(/^[+-][\d,]+\.\d ms$/)),
      ]);
    }
    // The warm-up replaces either seed during the init, in every process; without it nothing is fetched.
    expect(rows[6]?.slice(1)).toEqual([
      '0.0 (2/2 processes)',
      '0.0 (2/2 processes)',
      'never (no fetch)',
      '',
      '',
      '',
      '',
    ]);
  });

  test('memory table: RSS and heap after the first decision, next to bare node', () => {
    const [header, ...rows] = table(report, 'Memory after the first decision');
    expect(header).toEqual(['process', 'RSS', 'V8 heap used']);
    expect(rows.map((r) => r[0])).toEqual([
      'bare `node -e`',
      'floor',
      'our bundle, unseeded (first decision after the JWKS fetch)',
      'our bundle, seeded',
      'our bundle, unseeded, issuer down (503)',
    ]);
    for (const row of rows) {
      expect(row[1]).toMatch(/^\d+\.\d MiB$/);
      expect(row[2]).toMatch(/^\d+\.\d MiB$/);
    }
  });

  test('JWKS fetch table: four stacks, counted cold, warm and under the probe', () => {
    const [header, ...rows] = table(report, 'JWKS fetches');
    expect(header?.slice(0, 3)).toEqual(['stack', 'cold (first token)', 'warm (5 more tokens)']);
    expect(rows.map((r) => r[0])).toEqual(['ours', 'aws-jwt-verify', 'jose', 'jwks-rsa']);
    for (const row of rows) {
      expect(row[1]).toMatch(/^\d+$/);
      expect(row[2]).toMatch(/^\d+$/);
      expect(row[3]).toMatch(/^\d+( \(\d+ verifications still queued after [\d.]+ s\))?$/);
    }
  });

  test('gateway table: invocations per 1000 requests with the cache on, off and per route, and distinct tokens', () => {
    const [header, ...rows] = table(report, 'Through the local gateway');
    expect(header).toEqual(['measure', 'value']);
    expect(rows).toHaveLength(7);
    expect(rows[0]?.[1]).toMatch(
      /^1000 requests, \d+ users, \d+ distinct tokens, \d+ routes; \d+ allowed, \d+ denied \(403\)$/,
    );
    for (const row of rows.slice(1, 6)) expect(row[1]).toMatch(DECIMAL);
    expect(rows[4]?.[0]).toMatch(/^authorizer invocations per 1000 requests, per-route caching/);
    expect(rows[6]).toEqual([
      'per-route caching: invocations vs token caching',
      expect.stringMatching(/^\d+\.\d\dx$/),
    ]);
  });

  test('route-table tables: every table and scope set, and the three synth apps', () => {
    const rowsOf = (heading: string): string[][] => table(report, heading).slice(1);
    expect(rowsOf('Route tables: policy cost per scope set')).toHaveLength(12);
    expect(rowsOf('Route tables: an 8 KB path')).toHaveLength(12);
    expect(rowsOf('Route tables: synth')).toHaveLength(3);
  });

  test('bundle composition and targets tables', () => {
    const [compositionHeader, ...modules] = table(report, 'Bundle composition');
    expect(compositionHeader).toEqual(['module', 'bytes']);
    expect(modules.map((m) => m[0])).toEqual(
      expect.arrayContaining(['aws-jwt-verify', 'lambda/authorizer/handler.ts']),
    );
    const [targetHeader, ...targets] = table(report, 'Targets');
    expect(targetHeader).toEqual(['target', 'measured', 'verdict']);
    // Fifteen of the suite's own, four of the route tables' (test/bench/route-tables.test.ts checks their module).
    expect(targets).toHaveLength(19);
    expect(targets.map((t) => t[0])).toContainEqual(
      expect.stringMatching(/^after a provisioned-concurrency init \(JWKS_WARM_UP auto/),
    );
    for (const row of targets) expect(['met', '**missed**']).toContain(row[2]);
  });
});

describe('the bench bundles as the construct deploys', () => {
  // bench/bundle.ts builds with esbuild itself, for the per-module composition; what it measures must be,
  // byte for byte, the prebuilt bundle the construct deploys (authorizerBundleDir), with and without revocation.
  let outDir: string;

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'bearer-gate-bench-bundle-'));
    await buildDeployedBundle(outDir);
  }, 60_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  test.each<[string, AuthorizerVariant]>([
    ['authorizer', 'plain'],
    ['revocable-authorizer', 'revocable'],
  ])('%s', (dir, variant) => {
    expect(readFileSync(join(outDir, dir, 'index.mjs'))).toEqual(
      readFileSync(join(authorizerBundleDir(variant), 'index.mjs')),
    );
  });
});

describe('parseBenchArgs', () => {
  test.each([
    [['--fast'], 'unknown argument "--fast"'],
    [['--quick', 'extra'], 'unknown argument "extra"'],
    [['--only'], '--only takes one of route-tables, warm, dpop; got ""'],
    [['--only', 'cold-start'], '--only takes one of route-tables, warm, dpop; got "cold-start"'],
    [['--only', '--quick'], '--only takes one of route-tables, warm, dpop; got "--quick"'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(argv)).toThrow(
      `${message}; usage: npm run bench [-- [--quick] [--only route-tables|warm|dpop]]`,
    );
  });

  test('full by default, quick on --quick', () => {
    expect(parseBenchArgs([]).quick).toBe(false);
    expect(parseBenchArgs(['--quick']).quick).toBe(true);
  });

  test('every module by default, one with --only, in either order with --quick', () => {
    expect(parseBenchArgs([]).only).toBeNull();
    expect(parseBenchArgs(['--only', 'route-tables'])).toMatchObject({ quick: false, only: 'route-tables' });
    expect(parseBenchArgs(['--only', 'warm'])).toMatchObject({ quick: false, only: 'warm' });
    expect(parseBenchArgs(['--only', 'dpop'])).toMatchObject({ quick: false, only: 'dpop' });
    expect(parseBenchArgs(['--only', 'route-tables', '--quick'])).toMatchObject({
      quick: true,
      only: 'route-tables',
    });
    expect(parseBenchArgs(['--quick', '--only', 'route-tables'])).toMatchObject({
      quick: true,
      only: 'route-tables',
    });
  });
});

describe('npm run bench:cold-start (the cold-start part alone)', () => {
  const runColdStart = (args: string[]): Promise<BenchRun> => runBenchScript('bench/cold-start-run.ts', args);

  test('runs only the series asked for, interleaved, and prints their medians', async () => {
    const run = await runColdStart(['--processes', '1', '--series', 'seeded,seeded-floor']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('# Cold start (1 processes per series)');
    const [header, ...rows] = table(run.stdout, 'Series run');
    expect(header).toEqual([
      'series',
      'median ms (spawn to exit)',
      'min',
      'max',
      'vs seeded (median of differences)',
      'CPU ms (median)',
    ]);
    expect(rows.map((r) => r[0])).toEqual(['seeded', 'seeded-floor']);
    expect(rows[0]?.[4]).toBe('0.00');
  }, 60_000);

  test.each([[['--series', 'seeded,warm']], [['--processes', '0']], [['--fast', '1']]])(
    'refuses %j',
    async (args) => {
      const run = await runColdStart(args);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        /^bench failed: Error: (unknown series "warm"|usage: npm run bench:cold-start)/,
      );
    },
    30_000,
  );
});
