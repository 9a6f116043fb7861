// Cold start: fresh node processes that load the deployed bundle and authorize their first token, against bare
// `node -e` and against the floor (a bare HTTPS fetch and one verify) started the same way, interleaved process
// by process. With and without a JWKS seed, with the JWKS on loopback, one simulated 50 ms round trip away, and
// down at cold start; each process reports its outcome and its memory after the first decision.
//
// Trust: the test issuer's certificate is trusted through TRUSTED_CA_FILE, which the authorizer (and the
// floors) read when they first fetch, as a deployed authorizer with a public issuer builds Node's root store on
// its first TLS connection. Not through NODE_EXTRA_CA_CERTS: Node parses its whole root store at start-up for
// that variable (about half of bare node's start here), which made bare node, and every ratio, look slower
// and smaller than on Lambda. Runs before 2026-11-30 measured that way; two series keep that measure.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatJwksSeed, type JwksSeedEntry } from 'bearer-gate/authorizer';
import { METHOD_ARN, type Fixtures } from './fixtures';
import { startLatencyProxy } from './latency-proxy';
import { median, medianDifference, medianRatio } from './stats';
import { startJwksServer } from '../test/support/jwks-server';

/** The simulated network: each direction delayed this long, so one round trip is twice it. */
export const ONE_WAY_MS = 25;
export const ROUND_TRIP_MS = 2 * ONE_WAY_MS;

export type ColdSeriesId =
  | 'bare'
  | 'bare-extra-ca'
  | 'floor'
  | 'deployed'
  | 'node-source-maps'
  | 'seeded'
  | 'seeded-floor'
  | 'seeded-node-source-maps'
  | 'seeded-extra-ca'
  | 'seeded-rtt'
  | 'unseeded-rtt'
  | 'seeded-down'
  | 'unseeded-down'
  | 'seeded-refresh';

const SERIES: readonly ColdSeriesId[] = [
  'bare',
  'bare-extra-ca',
  'floor',
  'deployed',
  'node-source-maps',
  'seeded',
  'seeded-floor',
  'seeded-node-source-maps',
  'seeded-extra-ca',
  'seeded-rtt',
  'unseeded-rtt',
  'seeded-down',
  'unseeded-down',
  'seeded-refresh',
];

/** What each series must decide: an issuer down at cold start leaves an unseeded authorizer nothing to decide with. */
const EXPECTED_OUTCOME: Readonly<Record<ColdSeriesId, string>> = {
  bare: 'none',
  'bare-extra-ca': 'none',
  floor: 'allow',
  deployed: 'allow',
  'node-source-maps': 'allow',
  seeded: 'allow',
  'seeded-floor': 'allow',
  'seeded-node-source-maps': 'allow',
  'seeded-extra-ca': 'allow',
  'seeded-rtt': 'allow',
  'unseeded-rtt': 'allow',
  'seeded-down': 'allow',
  'unseeded-down': 'error JWKS_UNAVAILABLE',
  'seeded-refresh': 'allow',
};

export interface Memory {
  /** Resident set size, bytes: what Lambda's memory setting bounds. */
  readonly rss: number;
  readonly heapUsed: number;
}

export interface ColdStartReport {
  /**
   * Wall-clock milliseconds from spawn to exit, per process, in spawn order. seeded-refresh's include the wait
   * for the background refresh (up to 3 s): not a cold start, and reported only through `refresh`.
   */
  readonly ms: Readonly<Record<ColdSeriesId, readonly number[]>>;
  readonly medianMs: Readonly<Record<ColdSeriesId, number>>;
  /** Median of per-iteration ratios to bare node (each pair ran back to back). */
  readonly ratio: Readonly<Record<Exclude<ColdSeriesId, 'bare'>, number>>;
  /** Median of per-iteration ratios of the deployed bundle to the floor: our own share of the cold start. */
  readonly deployedVsFloor: number;
  /**
   * The seeded bundle as runs before 2026-11-30 measured it: NODE_EXTRA_CA_CERTS set for it and for bare node,
   * the ratio of the two.
   */
  readonly seededExtraCaVsBareExtraCa: number;
  /** Median of per-iteration differences, ms: what the round trip (or the outage) adds to each. */
  readonly added: {
    readonly seededByRoundTrip: number;
    readonly unseededByRoundTrip: number;
    readonly seededByOutage: number;
    /** What NODE_OPTIONS=--enable-source-maps would add to a seeded cold start. */
    readonly seededByNodeSourceMaps: number;
    /** What NODE_EXTRA_CA_CERTS adds to bare node's start. */
    readonly bareByExtraCa: number;
  };
  /** Each process's outcome ('allow', 'deny', 'error CODE'; 'none' for bare node), per series. */
  readonly outcomes: Readonly<Record<ColdSeriesId, readonly string[]>>;
  readonly expectedOutcome: Readonly<Record<ColdSeriesId, string>>;
  /** Median memory after the first decision (bare node: after start). */
  readonly memory: Readonly<Record<ColdSeriesId, Memory>>;
  /**
   * The seeded process kept running after its first decision until the background refresh replaced the seed
   * (series seeded-refresh): medians, and how many processes saw the replacement within 3 s.
   */
  readonly refresh: {
    readonly longestPauseMs: number;
    readonly replacedAfterMs: number;
    readonly replaced: number;
    readonly processes: number;
  };
  /** JWKS requests the server saw during each cold start of the bundle. */
  readonly jwksFetches: readonly number[];
}

export class ColdStartError extends Error {
  override readonly name = 'ColdStartError';
  readonly code = 'COLD_START_FAILED';
}

const CHILD = join(__dirname, 'cold-start-child.mjs');
const FLOOR = join(__dirname, 'cold-start-floor.mjs');
const SEEDED_FLOOR = join(__dirname, 'cold-start-seeded-floor.mjs');
/** Bare node reports its memory the way the child does, and nothing else. */
const BARE = `const { rss, heapUsed } = process.memoryUsage(); process.stdout.write(JSON.stringify({ bench: { outcome: 'none', rss, heapUsed } }) + '\\n');`;

interface ProcessResult {
  readonly ms: number;
  readonly outcome: string;
  readonly memory: Memory;
  /** With --watch-refresh only: see cold-start-child.mjs. */
  readonly longestPauseMs?: number;
  readonly replacedAfterMs?: number | null;
}

function timeProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      // The authorizer's own log lines share stdout; the child's report is the line that starts with it.
      const line = stdout.split('\n').find((l) => l.startsWith('{"bench":'));
      if (code !== 0 || line === undefined) {
        reject(new ColdStartError(`child exited with ${code}: ${stderr.slice(0, 500)}`));
        return;
      }
      const { outcome, rss, heapUsed, longestPauseMs, replacedAfterMs } = (
        JSON.parse(line) as {
          bench: ProcessResult['memory'] &
            Pick<ProcessResult, 'outcome' | 'longestPauseMs' | 'replacedAfterMs'>;
        }
      ).bench;
      resolve({ ms, outcome, memory: { rss, heapUsed }, longestPauseMs, replacedAfterMs });
    });
  });
}

/** A seed holding the fixtures' keys under `jwksUri`, as `npm run jwks-seed` would write it now. */
async function writeSeed(fixtures: Fixtures, file: string, jwksUri: string): Promise<string> {
  const entry: JwksSeedEntry = {
    jwksUri,
    jwks: { keys: Object.values(fixtures.keys).map((k) => k.jwk as never) },
    fetchedAt: Date.now(),
    issuer: null,
  };
  await writeFile(file, formatJwksSeed([entry], 2));
  return file;
}

export async function measureColdStarts(
  fixtures: Fixtures,
  bundleFile: string,
  processes: number,
): Promise<ColdStartReport> {
  // The JWKS one round trip away, and an issuer that is down (answers 503) at the same distance.
  const near = await startLatencyProxy(Number(new URL(fixtures.jwks.origin).port), ONE_WAY_MS);
  const downServer = await startJwksServer();
  downServer.mode = 'down';
  const down = await startLatencyProxy(Number(new URL(downServer.origin).port), ONE_WAY_MS);
  try {
    const path = new URL(fixtures.jwks.url).pathname;
    const uris = {
      loopback: fixtures.jwks.url,
      near: `${near.origin}${path}`,
      down: `${down.origin}${path}`,
    };
    const seeds = {
      loopback: await writeSeed(fixtures, join(fixtures.workDir, 'seed-loopback.json'), uris.loopback),
      near: await writeSeed(fixtures, join(fixtures.workDir, 'seed-near.json'), uris.near),
      down: await writeSeed(fixtures, join(fixtures.workDir, 'seed-down.json'), uris.down),
    };
    // The function's environment as the construct sets it (LOG_LEVEL unset: the production default; no
    // NODE_OPTIONS), the test issuer's certificate trusted as TRUSTED_CA_FILE, nothing inherited from this
    // process. The floors read the same file.
    const base: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      ...fixtures.env(),
      TRUSTED_CA_FILE: fixtures.certificateFile,
    };
    const deployed = (jwksUri: string, seed?: string): NodeJS.ProcessEnv => ({
      ...base,
      JWKS_URI: jwksUri,
      ...(seed === undefined ? {} : { JWKS_SEED_FILE: seed }),
    });
    const nodeSourceMaps = { NODE_OPTIONS: '--enable-source-maps' };
    const extraCa = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
      const { TRUSTED_CA_FILE: _trusted, ...rest } = env;
      return { ...rest, NODE_EXTRA_CA_CERTS: fixtures.certificateFile };
    };
    const tokens = fixtures.tokens('RS256', processes);
    const bundle = (i: number): string[] => [CHILD, bundleFile, tokens[i] as string, METHOD_ARN];
    const seeded = deployed(uris.loopback, seeds.loopback);
    const plan: Record<ColdSeriesId, { args: (i: number) => string[]; env: NodeJS.ProcessEnv }> = {
      // Bare node gets the same environment, so the difference is the bundle and its first authorization.
      bare: { args: () => ['-e', BARE], env: deployed(uris.loopback) },
      'bare-extra-ca': { args: () => ['-e', BARE], env: extraCa(deployed(uris.loopback)) },
      floor: { args: (i) => [CHILD, FLOOR, tokens[i] as string, METHOD_ARN], env: deployed(uris.loopback) },
      deployed: { args: bundle, env: deployed(uris.loopback) },
      'node-source-maps': { args: bundle, env: { ...deployed(uris.loopback), ...nodeSourceMaps } },
      seeded: { args: bundle, env: seeded },
      'seeded-floor': { args: (i) => [CHILD, SEEDED_FLOOR, tokens[i] as string, METHOD_ARN], env: seeded },
      'seeded-node-source-maps': { args: bundle, env: { ...seeded, ...nodeSourceMaps } },
      'seeded-extra-ca': { args: bundle, env: extraCa(seeded) },
      'seeded-rtt': { args: bundle, env: deployed(uris.near, seeds.near) },
      'unseeded-rtt': { args: bundle, env: deployed(uris.near) },
      'seeded-down': { args: bundle, env: deployed(uris.down, seeds.down) },
      'unseeded-down': { args: bundle, env: deployed(uris.down) },
      'seeded-refresh': { args: (i) => [...bundle(i), '--watch-refresh'], env: seeded },
    };

    const results = Object.fromEntries(SERIES.map((id) => [id, [] as ProcessResult[]])) as Record<
      ColdSeriesId,
      ProcessResult[]
    >;
    const jwksFetches: number[] = [];
    const run = async (id: ColdSeriesId, i: number): Promise<void> => {
      const before = fixtures.jwks.requests.length;
      results[id].push(await timeProcess(plan[id].args(i), plan[id].env));
      if (id === 'deployed') jwksFetches.push(fixtures.jwks.requests.length - before);
    };
    // One untimed start of each, so the first timed process does not pay for cold disk caches.
    for (const id of SERIES) await run(id, 0);
    for (const id of SERIES) results[id].length = 0;
    jwksFetches.length = 0;
    for (let i = 0; i < processes; i++) {
      const shift = i % SERIES.length;
      for (const id of [...SERIES.slice(shift), ...SERIES.slice(0, shift)]) await run(id, i);
    }

    const ms = Object.fromEntries(SERIES.map((id) => [id, results[id].map((r) => r.ms)])) as Record<
      ColdSeriesId,
      number[]
    >;
    const outcomes = Object.fromEntries(
      SERIES.map((id) => [id, results[id].map((r) => r.outcome)]),
    ) as Record<ColdSeriesId, string[]>;
    for (const id of SERIES) {
      const wrong = outcomes[id].find((o) => o !== EXPECTED_OUTCOME[id]);
      if (wrong !== undefined) {
        throw new ColdStartError(
          `series ${id}: a process decided "${wrong}", expected "${EXPECTED_OUTCOME[id]}"`,
        );
      }
    }
    const each = <T>(f: (id: ColdSeriesId) => T): Record<ColdSeriesId, T> =>
      Object.fromEntries(SERIES.map((id) => [id, f(id)])) as Record<ColdSeriesId, T>;
    const { bare: _bare, ...ratio } = each((id) => medianRatio(ms[id], ms.bare));
    return {
      ms,
      medianMs: each((id) => median(ms[id])),
      ratio,
      deployedVsFloor: medianRatio(ms.deployed, ms.floor),
      seededExtraCaVsBareExtraCa: medianRatio(ms['seeded-extra-ca'], ms['bare-extra-ca']),
      added: {
        seededByRoundTrip: medianDifference(ms['seeded-rtt'], ms.seeded),
        unseededByRoundTrip: medianDifference(ms['unseeded-rtt'], ms.deployed),
        seededByOutage: medianDifference(ms['seeded-down'], ms.seeded),
        seededByNodeSourceMaps: medianDifference(ms['seeded-node-source-maps'], ms.seeded),
        bareByExtraCa: medianDifference(ms['bare-extra-ca'], ms.bare),
      },
      refresh: {
        longestPauseMs: median(results['seeded-refresh'].map((r) => r.longestPauseMs ?? 0)),
        replacedAfterMs: median(
          results['seeded-refresh'].flatMap((r) =>
            typeof r.replacedAfterMs === 'number' ? [r.replacedAfterMs] : [],
          ),
        ),
        replaced: results['seeded-refresh'].filter((r) => typeof r.replacedAfterMs === 'number').length,
        processes: results['seeded-refresh'].length,
      },
      outcomes,
      expectedOutcome: EXPECTED_OUTCOME,
      memory: each((id) => ({
        rss: median(results[id].map((r) => r.memory.rss)),
        heapUsed: median(results[id].map((r) => r.memory.heapUsed)),
      })),
      jwksFetches,
    };
  } finally {
    await Promise.all([near.close(), down.close(), downServer.close()]);
  }
}
