// Runs every measurement once, in one process, and returns the raw results for the report.
import { cpus, loadavg } from 'node:os';
import { buildDeployedBundle, type BundleReport } from './bundle';
import { createCandidates, type CandidateId } from './candidates';
import { measureColdStarts, type ColdStartReport } from './cold-start';
import { BENCH_ALGS, startFixtures, type BenchAlg } from './fixtures';
import { runGatewayMix, type GatewayMixReport } from './gateway-mix';
import { countJwksFetches, type JwksFetchCounts } from './jwks-fetches';
import type { BenchOptions } from './options';
import { measureRouteTables, type RouteTablesReport } from './route-tables';
import { runWarmRounds } from './warm';

export interface MachineNote {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly loadAverage: readonly number[];
}

export interface WarmResult {
  readonly alg: BenchAlg;
  readonly labels: ReadonlyMap<CandidateId, string>;
  readonly perRound: ReadonlyMap<CandidateId, readonly number[]>;
}

/** What `--only route-tables` runs. */
export interface RouteTablesResults {
  readonly options: BenchOptions;
  readonly machine: MachineNote;
  readonly routeTables: RouteTablesReport;
}

export interface BenchResults extends RouteTablesResults {
  readonly warm: readonly WarmResult[];
  readonly bundle: BundleReport;
  readonly coldStart: ColdStartReport;
  readonly jwksFetches: readonly JwksFetchCounts[];
  readonly gateway: GatewayMixReport;
}

export function machineNote(): MachineNote {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverage: loadavg(),
  };
}

/** The route-table module alone, on the bundle as deployed. */
export async function runRouteTablesBench(
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<RouteTablesResults> {
  const machine = machineNote();
  const fixtures = await startFixtures();
  try {
    progress('bundle: esbuild as the construct deploys it');
    const bundle = await buildDeployedBundle(fixtures.workDir);
    const routeTables = await measureRouteTables(fixtures, bundle.bundleFile, options, progress);
    return { options, machine, routeTables };
  } finally {
    await fixtures.close();
  }
}

/** What `--only warm` runs: the warm rounds alone, against the same baselines. */
export interface WarmOnlyResults {
  readonly options: BenchOptions;
  readonly machine: MachineNote;
  readonly warm: readonly WarmResult[];
}

async function warmRounds(
  fixtures: Awaited<ReturnType<typeof startFixtures>>,
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<WarmResult[]> {
  const warm: WarmResult[] = [];
  for (const alg of BENCH_ALGS) {
    progress(`warm ${alg}: ${options.rounds} rounds x ${options.tokens} tokens`);
    const tokens = fixtures.tokens(alg, options.tokens);
    const candidates = await createCandidates(fixtures, alg, tokens);
    const series = await runWarmRounds(candidates, tokens, options.rounds, options.warmupRounds);
    warm.push({ alg, labels: new Map(candidates.map((c) => [c.id, c.label])), perRound: series.perRound });
  }
  return warm;
}

export async function runWarmBench(
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<WarmOnlyResults> {
  const machine = machineNote();
  progress(`Node.js ${machine.node} on ${machine.cpus} CPUs`);
  const fixtures = await startFixtures();
  try {
    return { options, machine, warm: await warmRounds(fixtures, options, progress) };
  } finally {
    await fixtures.close();
  }
}

export async function runBench(
  options: BenchOptions,
  progress: (line: string) => void,
): Promise<BenchResults> {
  const machine = machineNote();
  progress(`Node.js ${machine.node} on ${machine.cpus} CPUs`);
  const fixtures = await startFixtures();
  try {
    const warm = await warmRounds(fixtures, options, progress);
    progress('bundle: esbuild as the construct deploys it');
    const bundle = await buildDeployedBundle(fixtures.workDir);
    progress(`cold start: ${options.coldProcesses} fresh processes per series`);
    const coldStart = await measureColdStarts(fixtures, bundle.bundleFile, options.coldProcesses);
    progress('jwks fetches: cold, warm, unknown-kid probe');
    const jwksFetches = await countJwksFetches(fixtures, options.probeTokens, options.probeWindowMs);
    progress(`gateway: ${options.gatewayRequests} requests`);
    const gateway = await runGatewayMix(fixtures, options.gatewayRequests, options.gatewayUsers);
    const routeTables = await measureRouteTables(fixtures, bundle.bundleFile, options, progress);
    return { options, machine, warm, bundle, coldStart, jwksFetches, gateway, routeTables };
  } finally {
    await fixtures.close();
  }
}
