// Cold start: fresh node processes that load the deployed bundle and authorize their first token, against bare
// `node -e` and against the floor (a bare HTTPS fetch and one verify) started the same way, interleaved process
// by process. With and without a JWKS seed, with the JWKS on loopback, one simulated 50 ms round trip away, and
// down at cold start; each process reports its outcome and its memory after the first decision. The seeds are a
// minute old (younger than the key cache's refresh age), but for two series run as warm instances: one whose seed
// is an hour old, the age a seed written at deploy usually has when an instance starts, and one whose seed turns
// stale while it serves. Two more run as instances initialized ahead of traffic (provisioned concurrency, where
// JWKS_WARM_UP's default fetches the keys at init): seeds an hour and a minute old, frozen once after the init.
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
import { compileCacheVariant, deadCodeVariant, runOnce } from './cold-start-levers';
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
  | 'seeded-runtime'
  | 'seeded-old-runtime'
  | 'seeded-aging-runtime'
  | 'unseeded-runtime'
  | 'provisioned-runtime'
  | 'provisioned-old-runtime'
  | 'provisioned-off-runtime'
  | 'seeded-compile-cache'
  | 'seeded-dead-code';

export const SERIES: readonly ColdSeriesId[] = [
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
  'seeded-runtime',
  'seeded-old-runtime',
  'seeded-aging-runtime',
  'unseeded-runtime',
  'provisioned-runtime',
  'provisioned-old-runtime',
  'provisioned-off-runtime',
  'seeded-compile-cache',
  'seeded-dead-code',
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
  'seeded-runtime': 'allow',
  'seeded-old-runtime': 'allow',
  'seeded-aging-runtime': 'allow',
  'unseeded-runtime': 'allow',
  'provisioned-runtime': 'allow',
  'provisioned-old-runtime': 'allow',
  'provisioned-off-runtime': 'allow',
  'seeded-compile-cache': 'allow',
  'seeded-dead-code': 'allow',
};

/** Invocations per process in the runtime series: the cold start, then one after each freeze. */
export const RUNTIME_INVOCATIONS = 6;
/**
 * How old the seeds are (their fetchedAt), for every seeded series but seeded-old-runtime: younger than the key
 * cache's refresh age (15 minutes), so that a seeded instance does not refresh them (written again before each
 * process, so that a long run does not age them past it).
 */
export const FRESH_SEED_AGE_MS = 60_000;
/** seeded-old-runtime's seed: older than the refresh age, as a seed written at deploy usually is by a cold start. */
export const OLD_SEED_AGE_MS = 3_600_000;
/** The key cache's refresh age (createAuthorizer's default): keys, fetched or seeded, older than this are refreshed. */
export const REFRESH_AGE_MS = 15 * 60_000;
/**
 * seeded-aging-runtime: a warm instance whose seed turns stale while it serves. Its seed is this much younger than
 * the refresh age when the process starts, and the process is frozen AGING_FREEZE_MS (longer) before request
 * AGING_STALE_AT, which finds the seed stale and starts its refresh: what a seed younger than the refresh age
 * only puts off.
 */
export const AGING_MARGIN_MS = 1000;
export const AGING_FREEZE_MS = 1500;
export const AGING_STALE_AT = 4;
/** How long a runtime-series process stays frozen between two invocations. */
export const FREEZE_MS = 20;

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
  /**
   * Median CPU time (all threads) from the process's start to its report after the first decision: a check on
   * the wall-clock figures, which a busy machine moves more.
   */
  readonly cpuMs: Readonly<Record<ColdSeriesId, number>>;
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
    /** Our seeded cold start beyond the seeded floor's (same run, interleaved). */
    readonly seededOverSeededFloor: number;
    /** What V8's compile cache, made at build time and shipped beside the bundle, adds (a hit: negative). */
    readonly seededByCompileCache: number;
    /** What a never-called copy of the whole authorizer appended to the bundle adds. */
    readonly seededByDeadCode: number;
  };
  /** The same three comparisons in CPU time (median of per-iteration differences, ms). */
  readonly addedCpu: {
    readonly seededOverSeededFloor: number;
    readonly seededByCompileCache: number;
    readonly seededByDeadCode: number;
  };
  /** Each process's outcome ('allow', 'deny', 'error CODE'; 'none' for bare node), per series. */
  readonly outcomes: Readonly<Record<ColdSeriesId, readonly string[]>>;
  readonly expectedOutcome: Readonly<Record<ColdSeriesId, string>>;
  /** Median memory after the first decision (bare node: after start). */
  readonly memory: Readonly<Record<ColdSeriesId, Memory>>;
  /**
   * Seeded and unseeded processes run as Lambda's runtime runs a warm instance (series seeded-runtime and
   * unseeded-runtime, see cold-start-child.mjs): frozen between invocations, each answer timed from the thaw.
   */
  readonly runtime: RuntimeReport;
  /** JWKS requests the server saw during each cold start of the bundle. */
  readonly jwksFetches: readonly number[];
}

/** One invocation of a runtime-series process, as cold-start-child.mjs reports it. */
export interface Invocation {
  readonly outcome: string;
  /** From the thaw to the answer (the first: from the process's import of the bundle). */
  readonly latencyMs: number;
}

export interface RuntimeReport {
  readonly invocations: number;
  readonly freezeMs: number;
  /** FRESH_SEED_AGE_MS and OLD_SEED_AGE_MS, for the labels. */
  readonly seedAgesMs: { readonly fresh: number; readonly old: number };
  /** The request at which seeded-aging-runtime's seed is stale (1-based). */
  readonly agingStaleAt: number;
  /**
   * Median latency of each invocation (index 0: the cold start): seeded with a fresh seed (younger than the
   * refresh age: no refresh), seeded with an old one (refreshed after the first answer), and unseeded.
   */
  readonly seededMs: readonly number[];
  readonly oldSeededMs: readonly number[];
  /** A seed that turns stale before request `agingStaleAt`, on a warm instance. */
  readonly agingSeededMs: readonly number[];
  readonly unseededMs: readonly number[];
  /**
   * What the seed (and, for the old seed, its background refresh) adds to each invocation: the median of
   * per-iteration differences, seeded minus unseeded (index 0 is the cold start, where the seed saves the fetch).
   */
  readonly addedMs: readonly number[];
  readonly oldAddedMs: readonly number[];
  readonly agingAddedMs: readonly number[];
  /** After how many answers the live JWKS replaced the seed (median), and in how many processes it did. */
  readonly replacedAfter: {
    readonly seeded: number;
    readonly oldSeeded: number;
    readonly agingSeeded: number;
  };
  readonly replaced: { readonly seeded: number; readonly oldSeeded: number; readonly agingSeeded: number };
  readonly processes: number;
  /** Seeded instances initialized ahead of traffic: see ProvisionedReport. */
  readonly provisioned: ProvisionedReport;
}

/**
 * Seeded processes run as provisioned-concurrency instances (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency,
 * so JWKS_WARM_UP's default fetches the keys during the import): frozen once after the init, as such an instance
 * waits for traffic, then invoked as the runtime series are, request 1 timed from the thaw too. And the same
 * instance with JWKS_WARM_UP=off and a fresh seed, which never fetches: what its requests cost with no JWKS work
 * at all (request 1 still runs the decision's code for the first time).
 */
export interface ProvisionedReport {
  /** Median latency of each invocation: seeds FRESH_SEED_AGE_MS and OLD_SEED_AGE_MS old, and without a warm-up. */
  readonly seededMs: readonly number[];
  readonly oldSeededMs: readonly number[];
  readonly offMs: readonly number[];
  /** The baseline of `…AddedMs`: the median over unseeded processes of their requests 2 to RUNTIME_INVOCATIONS. */
  readonly unseededWarmMs: number;
  /**
   * What each invocation waits beyond an unseeded warm instance: the median of per-iteration differences against
   * the unseeded process of the same iteration, its requests 2 to RUNTIME_INVOCATIONS (their median).
   */
  readonly addedMs: readonly number[];
  readonly oldAddedMs: readonly number[];
  readonly offAddedMs: readonly number[];
  /**
   * What the warm-up leaves to each invocation: the median of per-iteration differences against the instance
   * without a warm-up, invocation by invocation.
   */
  readonly overOffMs: readonly number[];
  readonly oldOverOffMs: readonly number[];
  /** After how many answers the live JWKS replaced the seed (median; 0: during the init), and in how many processes. */
  readonly replacedAfter: { readonly seeded: number; readonly oldSeeded: number };
  readonly replaced: { readonly seeded: number; readonly oldSeeded: number };
}

export class ColdStartError extends Error {
  override readonly name = 'ColdStartError';
  readonly code = 'COLD_START_FAILED';
}

const CHILD = join(__dirname, 'cold-start-child.mjs');
const FLOOR = join(__dirname, 'cold-start-floor.mjs');
const SEEDED_FLOOR = join(__dirname, 'cold-start-seeded-floor.mjs');
/** Bare node reports its memory the way the child does, and nothing else. */
const BARE = `const { rss, heapUsed } = process.memoryUsage(); const { user, system } = process.cpuUsage(); process.stdout.write(JSON.stringify({ bench: { outcome: 'none', rss, heapUsed, cpuMs: (user + system) / 1000 } }) + '\\n');`;

interface ProcessResult {
  readonly ms: number;
  /** CPU time of all the process's threads up to its report (after the first decision). */
  readonly cpuMs: number;
  readonly outcome: string;
  readonly memory: Memory;
  /** With --runtime only: see cold-start-child.mjs. */
  readonly invocations?: readonly Invocation[];
  readonly replacedAfter?: number | null;
}

const SEED_REPLACED = '"code":"JWKS_SEED_REPLACED"';

/**
 * How many invocations a --runtime child had answered when it wrote the first line holding `text` (null: none
 * did). The child and the authorizer both write to file descriptor 1, in order, and the child writes a
 * `bench:next` line right after each answer but the last, and with --provisioned one after the init (`initFreezes`
 * 1): the lines before that one, less those, are the count.
 */
function answersBefore(stdout: string, text: string, initFreezes: number): number | null {
  const at = stdout.indexOf(text);
  if (at === -1) return null;
  return Math.max(0, stdout.slice(0, at).split('\nbench:next\n').length - 1 - initFreezes);
}

/**
 * Runs one child; one that prints `bench:next` (--runtime) is thawed with a line on stdin, `freezeMs(n)` after its
 * n-th freeze (0: after the first answer, or with --provisioned after the init) began.
 */
function timeProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  freezeMs: (n: number) => number = () => FREEZE_MS,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let freezes = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      for (const due = stdout.split('\nbench:next\n').length - 1; freezes < due; freezes++) {
        setTimeout(() => child.stdin.write('\n'), freezeMs(freezes));
      }
    });
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
      const { outcome, rss, heapUsed, cpuMs, invocations } = (
        JSON.parse(line) as {
          bench: ProcessResult['memory'] & Pick<ProcessResult, 'outcome' | 'cpuMs' | 'invocations'>;
        }
      ).bench;
      resolve({
        ms,
        outcome,
        memory: { rss, heapUsed },
        cpuMs,
        invocations,
        replacedAfter:
          invocations === undefined
            ? undefined
            : answersBefore(stdout, SEED_REPLACED, args.includes('--provisioned') ? 1 : 0),
      });
    });
  });
}

/** A seed holding the fixtures' keys under `jwksUri`, as `npm run jwks-seed` would have written it `ageMs` ago. */
async function writeSeed(fixtures: Fixtures, file: string, jwksUri: string, ageMs: number): Promise<string> {
  const entry: JwksSeedEntry = {
    jwksUri,
    jwks: { keys: Object.values(fixtures.keys).map((k) => k.jwk as never) },
    fetchedAt: Date.now() - ageMs,
    issuer: null,
  };
  await writeFile(file, formatJwksSeed([entry], 2));
  return file;
}

const latencies = (results: readonly ProcessResult[], at: number): number[] =>
  results.map((r) => r.invocations?.[at]?.latencyMs ?? Number.NaN);
const INDICES = Array.from({ length: RUNTIME_INVOCATIONS }, (_, at) => at);
const replacedAfter = (results: readonly ProcessResult[]): number[] =>
  results.flatMap((r) => (typeof r.replacedAfter === 'number' ? [r.replacedAfter] : []));

function provisionedReport(
  seeded: readonly ProcessResult[],
  oldSeeded: readonly ProcessResult[],
  off: readonly ProcessResult[],
  unseeded: readonly ProcessResult[],
): ProvisionedReport {
  // An unseeded process's warm requests (2 on): what a request costs once nothing is left to set up.
  const warm = unseeded.map((r) =>
    median(INDICES.slice(1).map((at) => r.invocations?.[at]?.latencyMs ?? Number.NaN)),
  );
  const each = (f: (at: number) => number): number[] => INDICES.map(f);
  return {
    seededMs: each((at) => median(latencies(seeded, at))),
    oldSeededMs: each((at) => median(latencies(oldSeeded, at))),
    offMs: each((at) => median(latencies(off, at))),
    unseededWarmMs: median(warm),
    addedMs: each((at) => medianDifference(latencies(seeded, at), warm)),
    oldAddedMs: each((at) => medianDifference(latencies(oldSeeded, at), warm)),
    offAddedMs: each((at) => medianDifference(latencies(off, at), warm)),
    overOffMs: each((at) => medianDifference(latencies(seeded, at), latencies(off, at))),
    oldOverOffMs: each((at) => medianDifference(latencies(oldSeeded, at), latencies(off, at))),
    replacedAfter: { seeded: median(replacedAfter(seeded)), oldSeeded: median(replacedAfter(oldSeeded)) },
    replaced: { seeded: replacedAfter(seeded).length, oldSeeded: replacedAfter(oldSeeded).length },
  };
}

function runtimeReport(
  seeded: readonly ProcessResult[],
  oldSeeded: readonly ProcessResult[],
  agingSeeded: readonly ProcessResult[],
  unseeded: readonly ProcessResult[],
  provisioned: ProvisionedReport,
): RuntimeReport {
  const indices = INDICES;
  return {
    invocations: RUNTIME_INVOCATIONS,
    freezeMs: FREEZE_MS,
    seedAgesMs: { fresh: FRESH_SEED_AGE_MS, old: OLD_SEED_AGE_MS },
    agingStaleAt: AGING_STALE_AT,
    seededMs: indices.map((at) => median(latencies(seeded, at))),
    oldSeededMs: indices.map((at) => median(latencies(oldSeeded, at))),
    agingSeededMs: indices.map((at) => median(latencies(agingSeeded, at))),
    unseededMs: indices.map((at) => median(latencies(unseeded, at))),
    addedMs: indices.map((at) => medianDifference(latencies(seeded, at), latencies(unseeded, at))),
    oldAddedMs: indices.map((at) => medianDifference(latencies(oldSeeded, at), latencies(unseeded, at))),
    agingAddedMs: indices.map((at) => medianDifference(latencies(agingSeeded, at), latencies(unseeded, at))),
    replacedAfter: {
      seeded: median(replacedAfter(seeded)),
      oldSeeded: median(replacedAfter(oldSeeded)),
      agingSeeded: median(replacedAfter(agingSeeded)),
    },
    replaced: {
      seeded: replacedAfter(seeded).length,
      oldSeeded: replacedAfter(oldSeeded).length,
      agingSeeded: replacedAfter(agingSeeded).length,
    },
    processes: seeded.length,
    provisioned,
  };
}

/**
 * `processes` fresh processes per series, interleaved. `only` runs just those series (bench/cold-start-run.ts);
 * the others are then reported as NaN.
 */
export async function measureColdStarts(
  fixtures: Fixtures,
  bundleFile: string,
  processes: number,
  only: readonly ColdSeriesId[] = SERIES,
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
      loopback: join(fixtures.workDir, 'seed-loopback.json'),
      near: join(fixtures.workDir, 'seed-near.json'),
      down: join(fixtures.workDir, 'seed-down.json'),
      old: await writeSeed(fixtures, join(fixtures.workDir, 'seed-old.json'), uris.loopback, OLD_SEED_AGE_MS),
      aging: join(fixtures.workDir, 'seed-aging.json'),
    };
    const fresh = [
      [seeds.loopback, uris.loopback],
      [seeds.near, uris.near],
      [seeds.down, uris.down],
    ] as const;
    /** (Re)writes the fresh seeds FRESH_SEED_AGE_MS old; `file`: only that one. */
    const writeFreshSeeds = async (file?: string): Promise<void> => {
      for (const [path, uri] of fresh) {
        if (file === undefined || file === path) await writeSeed(fixtures, path, uri, FRESH_SEED_AGE_MS);
      }
    };
    await writeFreshSeeds();
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
    const tokens = fixtures.tokens('RS256', processes * RUNTIME_INVOCATIONS);
    const bundle = (i: number): string[] => [CHILD, bundleFile, tokens[i] as string, METHOD_ARN];
    const runtime = (i: number): string[] => [
      CHILD,
      bundleFile,
      tokens.slice(i * RUNTIME_INVOCATIONS, (i + 1) * RUNTIME_INVOCATIONS).join(','),
      METHOD_ARN,
      '--runtime',
    ];
    // Frozen once after the init, before request 1: an instance initialized ahead of traffic waits for it.
    const provisioned = (i: number): string[] => [...runtime(i), '--provisioned'];
    /** Lambda's reserved variable for an init ahead of traffic: JWKS_WARM_UP's default fetches the keys then. */
    const aheadOfTraffic = { AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' };
    const seeded = deployed(uris.loopback, seeds.loopback);
    const levers = {
      compileCache: compileCacheVariant(bundleFile, join(fixtures.workDir, 'compile-cache'), (entry) =>
        runOnce([CHILD, entry, tokens[0] as string, METHOD_ARN], seeded),
      ),
      deadCode: deadCodeVariant(bundleFile, join(fixtures.workDir, 'dead-code')),
    };
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
      'seeded-compile-cache': {
        args: (i) => [CHILD, levers.compileCache, tokens[i] as string, METHOD_ARN],
        env: seeded,
      },
      'seeded-dead-code': {
        args: (i) => [CHILD, levers.deadCode, tokens[i] as string, METHOD_ARN],
        env: seeded,
      },
      'seeded-runtime': { args: runtime, env: seeded },
      'seeded-old-runtime': { args: runtime, env: deployed(uris.loopback, seeds.old) },
      'seeded-aging-runtime': { args: runtime, env: deployed(uris.loopback, seeds.aging) },
      'unseeded-runtime': { args: runtime, env: deployed(uris.loopback) },
      'provisioned-runtime': { args: provisioned, env: { ...seeded, ...aheadOfTraffic } },
      'provisioned-old-runtime': {
        args: provisioned,
        env: { ...deployed(uris.loopback, seeds.old), ...aheadOfTraffic },
      },
      // The same instance without a warm-up, its fresh seed never refreshed: no TLS in the process at all.
      'provisioned-off-runtime': {
        args: provisioned,
        env: { ...seeded, ...aheadOfTraffic, JWKS_WARM_UP: 'off' },
      },
    };

    const results = Object.fromEntries(SERIES.map((id) => [id, [] as ProcessResult[]])) as Record<
      ColdSeriesId,
      ProcessResult[]
    >;
    const jwksFetches: number[] = [];
    const run = async (id: ColdSeriesId, i: number): Promise<void> => {
      const seedFile = plan[id].env.JWKS_SEED_FILE;
      const aging = id === 'seeded-aging-runtime';
      if (aging) await writeSeed(fixtures, seeds.aging, uris.loopback, REFRESH_AGE_MS - AGING_MARGIN_MS);
      else if (seedFile !== undefined && seedFile !== seeds.old) await writeFreshSeeds(seedFile);
      const before = fixtures.jwks.requests.length;
      const freezeMs = (n: number): number =>
        aging && n === AGING_STALE_AT - 2 ? AGING_FREEZE_MS : FREEZE_MS;
      results[id].push(await timeProcess(plan[id].args(i), plan[id].env, freezeMs));
      if (id === 'deployed') jwksFetches.push(fixtures.jwks.requests.length - before);
    };
    // One untimed start of each, so the first timed process does not pay for cold disk caches.
    const running = SERIES.filter((id) => only.includes(id));
    for (const id of running) await run(id, 0);
    for (const id of running) results[id].length = 0;
    jwksFetches.length = 0;
    for (let i = 0; i < processes; i++) {
      const shift = i % running.length;
      for (const id of [...running.slice(shift), ...running.slice(0, shift)]) await run(id, i);
    }

    const ms = Object.fromEntries(SERIES.map((id) => [id, results[id].map((r) => r.ms)])) as Record<
      ColdSeriesId,
      number[]
    >;
    // A runtime-series process reports every invocation's outcome; each must be what the series expects.
    const outcomes = Object.fromEntries(
      SERIES.map((id) => [
        id,
        results[id].flatMap((r) => r.invocations?.map((call) => call.outcome) ?? [r.outcome]),
      ]),
    ) as Record<ColdSeriesId, string[]>;
    for (const id of SERIES) {
      const wrong = outcomes[id].find((o) => o !== EXPECTED_OUTCOME[id]);
      if (wrong !== undefined) {
        throw new ColdStartError(
          `series ${id}: a process decided "${wrong}", expected "${EXPECTED_OUTCOME[id]}"`,
        );
      }
    }
    const cpu = Object.fromEntries(SERIES.map((id) => [id, results[id].map((r) => r.cpuMs)])) as Record<
      ColdSeriesId,
      number[]
    >;
    const each = <T>(f: (id: ColdSeriesId) => T): Record<ColdSeriesId, T> =>
      Object.fromEntries(SERIES.map((id) => [id, f(id)])) as Record<ColdSeriesId, T>;
    const { bare: _bare, ...ratio } = each((id) => medianRatio(ms[id], ms.bare));
    return {
      ms,
      medianMs: each((id) => median(ms[id])),
      cpuMs: each((id) => median(cpu[id])),
      addedCpu: {
        seededOverSeededFloor: medianDifference(cpu.seeded, cpu['seeded-floor']),
        seededByCompileCache: medianDifference(cpu['seeded-compile-cache'], cpu.seeded),
        seededByDeadCode: medianDifference(cpu['seeded-dead-code'], cpu.seeded),
      },
      ratio,
      deployedVsFloor: medianRatio(ms.deployed, ms.floor),
      seededExtraCaVsBareExtraCa: medianRatio(ms['seeded-extra-ca'], ms['bare-extra-ca']),
      added: {
        seededByRoundTrip: medianDifference(ms['seeded-rtt'], ms.seeded),
        unseededByRoundTrip: medianDifference(ms['unseeded-rtt'], ms.deployed),
        seededByOutage: medianDifference(ms['seeded-down'], ms.seeded),
        seededByNodeSourceMaps: medianDifference(ms['seeded-node-source-maps'], ms.seeded),
        bareByExtraCa: medianDifference(ms['bare-extra-ca'], ms.bare),
        seededOverSeededFloor: medianDifference(ms.seeded, ms['seeded-floor']),
        seededByCompileCache: medianDifference(ms['seeded-compile-cache'], ms.seeded),
        seededByDeadCode: medianDifference(ms['seeded-dead-code'], ms.seeded),
      },
      runtime: runtimeReport(
        results['seeded-runtime'],
        results['seeded-old-runtime'],
        results['seeded-aging-runtime'],
        results['unseeded-runtime'],
        provisionedReport(
          results['provisioned-runtime'],
          results['provisioned-old-runtime'],
          results['provisioned-off-runtime'],
          results['unseeded-runtime'],
        ),
      ),
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
