// The benchmark's knobs: full mode for figures worth committing, --quick for a seconds-long smoke run.

/** A module `--only` can run by itself. */
export type BenchModule = 'route-tables' | 'warm' | 'dpop';
const MODULES: readonly BenchModule[] = ['route-tables', 'warm', 'dpop'];

export interface BenchOptions {
  readonly quick: boolean;
  /** Run only this module; null: every module. */
  readonly only: BenchModule | null;
  /** Distinct tokens per batch; every candidate verifies the same batch in each round. */
  readonly tokens: number;
  /** Timed interleaved rounds per algorithm (after the warm-up rounds). */
  readonly rounds: number;
  readonly warmupRounds: number;
  /** Fresh processes per cold-start series. */
  readonly coldProcesses: number;
  /** Tokens with unknown kids sent in each burst of the JWKS probe. */
  readonly probeTokens: number;
  /** Requests sent through the local gateway for the traffic mix. */
  readonly gatewayRequests: number;
  /** Users in that mix; each has two tokens (one refresh). */
  readonly gatewayUsers: number;
  /**
   * The authorizer's unknown-kid refetch window for the probe; null keeps the production default so the
   * trailing fetch is really waited for. Quick mode shortens it: it checks only that the harness works.
   */
  readonly probeWindowMs: number | null;
  /** Fresh processes per route table and scope set (each decides once cold, then warm). */
  readonly routeTableProcesses: number;
  /** Decisions timed after the first, per process. */
  readonly laterDecisions: number;
  /** Warm rounds, per process, of a short path against the two 8 KB paths. */
  readonly pathRounds: number;
  /** Fresh synth processes per app (4 routes, 1,000 routes, 1,000 bare methods). */
  readonly synthRuns: number;
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BENCH_USAGE';
}

const FULL: BenchOptions = Object.freeze({
  quick: false,
  only: null,
  tokens: 400,
  rounds: 15,
  warmupRounds: 3,
  coldProcesses: 15,
  probeTokens: 50,
  gatewayRequests: 1000,
  gatewayUsers: 40,
  probeWindowMs: null,
  routeTableProcesses: 15,
  laterDecisions: 200,
  pathRounds: 100,
  synthRuns: 3,
});

const QUICK: BenchOptions = Object.freeze({
  quick: true,
  only: null,
  tokens: 20,
  rounds: 2,
  warmupRounds: 1,
  coldProcesses: 2,
  probeTokens: 5,
  gatewayRequests: 1000,
  gatewayUsers: 10,
  probeWindowMs: 100,
  routeTableProcesses: 1,
  laterDecisions: 10,
  pathRounds: 5,
  synthRuns: 1,
});

const USAGE = `usage: npm run bench [-- [--quick] [--only ${MODULES.join('|')}]]`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let quick = false;
  let only: BenchModule | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--only') {
      const module = argv[++i];
      if (!MODULES.includes(module as BenchModule)) {
        throw new BenchUsageError(
          `--only takes one of ${MODULES.join(', ')}; got "${module ?? ''}"; ${USAGE}`,
        );
      }
      only = module as BenchModule;
    } else throw new BenchUsageError(`unknown argument "${arg}"; ${USAGE}`);
  }
  return Object.freeze({ ...(quick ? QUICK : FULL), only });
}
