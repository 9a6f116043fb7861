// Policy cost per route table (issue #20, item 7): fresh processes that load the deployed bundle with a table
// of 4 to 1,000 routes and decide for a token holding every rN, or every aN: the bundle's load, the first
// decision and its policy, later decisions, and what an 8 KB path adds warm. Then the construct's synth of the
// 1,000-route table against the 4-route one, each in a fresh process. Every series is interleaved process by
// process with the 4-route baseline, as the cold-start series are with bare node.
import { spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { formatJwksSeed } from 'bearer-gate/authorizer';
import type { RouteRule } from 'bearer-gate/contract';
import { PROJECT_ROOT } from './bundle';
import { API_ARN, type Fixtures } from './fixtures';
import type { BenchOptions } from './options';
import {
  PATH_KINDS,
  ROUTE_TABLES,
  SCOPE_SETS,
  routeTable,
  pathOf,
  scopeOf,
  segmentCount,
  type PathKind,
  type RouteTableId,
  type RouteTableShape,
  type ScopeSetId,
} from './route-table-shapes';
import { median, medianDifference, medianRatio } from './stats';

export interface RouteTableSeries {
  readonly table: RouteTableId;
  readonly label: string;
  readonly routes: number;
  readonly scopeSet: ScopeSetId;
  /** Per process, in spawn order. */
  readonly loadMs: readonly number[];
  readonly firstMs: readonly number[];
  /** Medians over processes. */
  readonly medianLoadMs: number;
  readonly medianFirstMs: number;
  /** Median of per-process differences (ratios) to the baseline process of the same scope set and iteration. */
  readonly loadAddedMs: number;
  readonly firstAddedMs: number;
  readonly firstRatio: number;
  /** Median of every later decision of every process. */
  readonly laterMs: number;
  /** The first decision's outcome per process (its log line's reason, or `error CODE`). */
  readonly outcomes: readonly string[];
  readonly allowResources: number;
  readonly denyResources: number;
  /** Bytes of the first decision's policy document as JSON. */
  readonly policyBytes: number;
  /** Warm, interleaved: median per path kind, and median of per-round differences to the short path. */
  readonly pathMs: Readonly<Record<PathKind, number>>;
  readonly pathAddedMs: Readonly<Record<Exclude<PathKind, 'short'>, number>>;
  readonly pathOutcome: Readonly<Record<PathKind, string>>;
}

export type SynthSeriesId = 'baseline' | 'nested-1000' | 'nested-1000-plain';

export interface SynthSeries {
  readonly id: SynthSeriesId;
  readonly routes: number;
  readonly constructMs: number;
  readonly synthMs: number;
  /** Construct plus synth, median over runs. */
  readonly totalMs: number;
  /** Median of per-run differences to the 4-route app's total. */
  readonly addedMs: number;
  readonly resources: number;
  /** The authorizer's type in the template (TOKEN, REQUEST), or `none`. */
  readonly authorizer: string;
}

export interface RouteTablesReport {
  readonly node: string;
  readonly processes: number;
  readonly laterDecisions: number;
  readonly pathRounds: number;
  /** The fewest and the most segments of the many-segment paths (they differ by the held path's length). */
  readonly pathSegments: readonly [number, number];
  readonly series: readonly RouteTableSeries[];
  readonly synthRuns: number;
  readonly synth: readonly SynthSeries[];
}

export class RouteTablesBenchError extends Error {
  override readonly name = 'RouteTablesBenchError';
  readonly code = 'ROUTE_TABLES_FAILED';
}

const CHILD = join(__dirname, 'route-tables-child.mjs');
const SYNTH_CHILD = join(__dirname, 'route-tables-synth.ts');
const TSX_CLI = join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/**
 * Runs node with `args`; resolves the `{"bench": ...}` line it printed. With `logFile`, the child's stdout is
 * that file (the authorizer's log lines, which the child reads back for each decision's reason) and the report
 * comes on file descriptor 3.
 */
function runChild<T>(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
  logFile?: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const logFd = logFile === undefined ? undefined : openSync(logFile, 'w');
    const child = spawn(process.execPath, args, {
      env: logFile === undefined ? env : { ...env, BENCH_LOG_FILE: logFile },
      cwd,
      stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, 'pipe', 'pipe'],
    });
    const reports = (logFd === undefined ? child.stdout : child.stdio[3]) as Readable;
    let stdout = '';
    let stderr = '';
    reports.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (logFd !== undefined) {
        closeSync(logFd);
        rmSync(logFile as string, { force: true });
      }
      const line = stdout.split('\n').find((l) => l.startsWith('{"bench":'));
      if (code !== 0 || line === undefined) {
        reject(
          new RouteTablesBenchError(`${args[0] ?? 'child'} exited with ${code}: ${stderr.slice(0, 800)}`),
        );
        return;
      }
      resolve((JSON.parse(line) as { bench: T }).bench);
    });
  });
}

interface DecisionRun {
  readonly loadMs: number;
  readonly firstMs: number;
  readonly outcome: string;
  readonly allowResources?: number;
  readonly denyResources?: number;
  readonly policyBytes?: number;
  readonly laterMs?: readonly number[];
  readonly pathMs?: Readonly<Record<PathKind, readonly number[]>>;
  readonly pathOutcome?: Readonly<Record<PathKind, string>>;
}

/**
 * The table as the construct ships it: routes.json, the JWKS seed and the trusted CA in files beside the handler
 * (LAMBDA_TASK_ROOT), named by ROUTES_FILE, JWKS_SEED_FILE and TRUSTED_CA_FILE; the issuer in the environment.
 */
async function shipTable(
  fixtures: Fixtures,
  table: RouteTableShape,
): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const dir = join(fixtures.workDir, 'route-tables', table.id);
  await mkdir(dir, { recursive: true });
  const seed = formatJwksSeed([
    {
      jwksUri: fixtures.jwks.url,
      jwks: { keys: Object.values(fixtures.keys).map((k) => k.jwk as never) },
      fetchedAt: Date.now(),
      issuer: null,
    },
  ]);
  await writeFile(join(dir, 'routes.json'), JSON.stringify(table.routes));
  await writeFile(join(dir, 'jwks-seed.json'), seed);
  await writeFile(join(dir, 'trusted-ca.pem'), fixtures.certificate);
  const { ROUTES: _routes, ...issuer } = fixtures.env();
  return {
    dir,
    env: {
      PATH: process.env.PATH,
      ...issuer,
      LOG_LEVEL: 'info',
      ROUTES_FILE: 'routes.json',
      JWKS_SEED_FILE: 'jwks-seed.json',
      TRUSTED_CA_FILE: 'trusted-ca.pem',
      LAMBDA_TASK_ROOT: dir,
    },
  };
}

interface DecisionPlan {
  readonly table: RouteTableShape;
  readonly scopeSet: ScopeSetId;
  readonly jobFile: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

async function planDecisions(
  fixtures: Fixtures,
  options: BenchOptions,
): Promise<{ plans: DecisionPlan[]; pathSegments: [number, number] }> {
  const plans: DecisionPlan[] = [];
  const segments: number[] = [];
  for (const table of ROUTE_TABLES) {
    const shipped = await shipTable(fixtures, table);
    for (const scopeSet of SCOPE_SETS) {
      const request = table.request[scopeSet];
      const methodArns = Object.fromEntries(
        PATH_KINDS.map((kind) => [kind, `${API_ARN}/${request.method}${pathOf(request.path, kind)}`]),
      );
      segments.push(segmentCount(pathOf(request.path, 'many-segments')));
      // Fresh processes share the tokens: none of them has seen a token before.
      const count = 1 + options.laterDecisions + PATH_KINDS.length * options.pathRounds;
      const job = {
        tokens: fixtures.tokens('RS256', count, scopeOf(table, scopeSet)),
        methodArns,
        laterDecisions: options.laterDecisions,
        pathRounds: options.pathRounds,
      };
      const jobFile = join(shipped.dir, `job-${scopeSet}.json`);
      await writeFile(jobFile, JSON.stringify(job));
      plans.push({ table, scopeSet, jobFile, env: shipped.env, cwd: shipped.dir });
    }
  }
  return { plans, pathSegments: [Math.min(...segments), Math.max(...segments)] };
}

function summarize(
  plan: DecisionPlan,
  runs: readonly DecisionRun[],
  baseline: readonly DecisionRun[],
): RouteTableSeries {
  const failed = runs.find((r) => r.laterMs === undefined);
  if (failed !== undefined) {
    throw new RouteTablesBenchError(
      `${plan.table.id}, every ${plan.scopeSet}N: the first decision was "${failed.outcome}", not a policy`,
    );
  }
  const done = runs as Array<Required<DecisionRun>>;
  const pathSeries = (kind: PathKind): number[] => done.flatMap((r) => r.pathMs[kind]);
  const loadMs = runs.map((r) => r.loadMs);
  const firstMs = runs.map((r) => r.firstMs);
  const baselineLoadMs = baseline.map((r) => r.loadMs);
  const baselineFirstMs = baseline.map((r) => r.firstMs);
  const first = done[0]!;
  return {
    table: plan.table.id,
    label: plan.table.label,
    routes: plan.table.routes.length,
    scopeSet: plan.scopeSet,
    loadMs,
    firstMs,
    medianLoadMs: median(loadMs),
    medianFirstMs: median(firstMs),
    loadAddedMs: medianDifference(loadMs, baselineLoadMs),
    firstAddedMs: medianDifference(firstMs, baselineFirstMs),
    firstRatio: medianRatio(firstMs, baselineFirstMs),
    laterMs: median(done.flatMap((r) => r.laterMs)),
    outcomes: runs.map((r) => r.outcome),
    allowResources: first.allowResources,
    denyResources: first.denyResources,
    policyBytes: first.policyBytes,
    pathMs: {
      short: median(pathSeries('short')),
      'long-value': median(pathSeries('long-value')),
      'many-segments': median(pathSeries('many-segments')),
    },
    pathAddedMs: {
      'long-value': medianDifference(pathSeries('long-value'), pathSeries('short')),
      'many-segments': medianDifference(pathSeries('many-segments'), pathSeries('short')),
    },
    pathOutcome: first.pathOutcome,
  };
}

async function measureDecisions(
  fixtures: Fixtures,
  bundleFile: string,
  options: BenchOptions,
): Promise<{ series: RouteTableSeries[]; pathSegments: [number, number] }> {
  const { plans, pathSegments } = await planDecisions(fixtures, options);
  const run = (plan: DecisionPlan): Promise<DecisionRun> =>
    runChild<DecisionRun>([CHILD, bundleFile, plan.jobFile], plan.env, plan.cwd, `${plan.jobFile}.log`);
  // One untimed process, so the first timed one does not pay for cold disk caches.
  await run(plans[0]!);
  const runs = plans.map(() => [] as DecisionRun[]);
  for (let i = 0; i < options.routeTableProcesses; i++) {
    const shift = i % plans.length;
    const order = plans.map((_, p) => (p + shift) % plans.length);
    for (const p of order) runs[p]!.push(await run(plans[p]!));
  }
  const baselineOf = (set: ScopeSetId): DecisionRun[] =>
    runs[plans.findIndex((p) => p.table.id === 'baseline' && p.scopeSet === set)]!;
  return {
    series: plans.map((plan, p) => summarize(plan, runs[p]!, baselineOf(plan.scopeSet))),
    pathSegments,
  };
}

interface SynthRun {
  readonly constructMs: number;
  readonly synthMs: number;
  readonly resources: number;
  readonly authorizer: string;
}

async function measureSynth(fixtures: Fixtures, runs: number): Promise<SynthSeries[]> {
  const dir = join(fixtures.workDir, 'synth');
  await mkdir(dir, { recursive: true });
  const tables: Record<SynthSeriesId, readonly RouteRule[]> = {
    baseline: routeTable('baseline').routes,
    'nested-1000': routeTable('nested-1000').routes,
    'nested-1000-plain': routeTable('nested-1000').routes,
  };
  const ids = Object.keys(tables) as SynthSeriesId[];
  for (const id of ids) await writeFile(join(dir, `${id}.json`), JSON.stringify(tables[id]));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    CDK_VALIDATION: 'false',
    CDK_DISABLE_VERSION_CHECK: '1',
  };
  let outdirs = 0;
  const run = (id: SynthSeriesId): Promise<SynthRun> =>
    runChild<SynthRun>(
      [
        TSX_CLI,
        SYNTH_CHILD,
        join(dir, `${id}.json`),
        join(dir, `cdk.out-${outdirs++}`),
        ...(id.endsWith('-plain') ? ['plain'] : []),
      ],
      env,
      PROJECT_ROOT,
    );
  // Untimed: loads aws-cdk-lib from a cold disk cache and checks (or builds) the prebuilt bundle's cache.
  await run('baseline');
  const results = Object.fromEntries(ids.map((id) => [id, [] as SynthRun[]])) as Record<
    SynthSeriesId,
    SynthRun[]
  >;
  for (let i = 0; i < runs; i++) {
    const shift = i % ids.length;
    for (const id of [...ids.slice(shift), ...ids.slice(0, shift)]) results[id].push(await run(id));
  }
  const total = (r: SynthRun): number => r.constructMs + r.synthMs;
  return ids.map((id) => ({
    id,
    routes: tables[id].length,
    constructMs: median(results[id].map((r) => r.constructMs)),
    synthMs: median(results[id].map((r) => r.synthMs)),
    totalMs: median(results[id].map(total)),
    addedMs: medianDifference(results[id].map(total), results.baseline.map(total)),
    resources: results[id][0]!.resources,
    authorizer: results[id][0]!.authorizer,
  }));
}

export async function measureRouteTables(
  fixtures: Fixtures,
  bundleFile: string,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<RouteTablesReport> {
  progress(
    `route tables: ${options.routeTableProcesses} fresh processes per table and scope set, ` +
      `${options.laterDecisions} later decisions, ${options.pathRounds} path rounds each`,
  );
  const { series, pathSegments } = await measureDecisions(fixtures, bundleFile, options);
  progress(`route tables: synth, ${options.synthRuns} runs per app`);
  const synth = await measureSynth(fixtures, options.synthRuns);
  return {
    node: process.version,
    processes: options.routeTableProcesses,
    laterDecisions: options.laterDecisions,
    pathRounds: options.pathRounds,
    pathSegments,
    series,
    synthRuns: options.synthRuns,
    synth,
  };
}
