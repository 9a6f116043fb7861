// The benchmark's knobs: full mode for figures worth committing, --quick for a seconds-long smoke run.

export interface BenchOptions {
  readonly quick: boolean;
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
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BENCH_USAGE';
}

const FULL: BenchOptions = Object.freeze({
  quick: false,
  tokens: 400,
  rounds: 15,
  warmupRounds: 3,
  coldProcesses: 15,
  probeTokens: 50,
  gatewayRequests: 1000,
  gatewayUsers: 40,
  probeWindowMs: null,
});

const QUICK: BenchOptions = Object.freeze({
  quick: true,
  tokens: 20,
  rounds: 2,
  warmupRounds: 1,
  coldProcesses: 2,
  probeTokens: 5,
  gatewayRequests: 1000,
  gatewayUsers: 10,
  probeWindowMs: 100,
});

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let options = FULL;
  for (const arg of argv) {
    if (arg === '--quick') options = QUICK;
    else throw new BenchUsageError(`unknown argument "${arg}"; usage: npm run bench [-- --quick]`);
  }
  return options;
}
