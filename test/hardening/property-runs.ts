// How many runs a long property makes. The defaults keep `npm test` fast; the opt-in PROPERTY_RUNS=<n>
// (e.g. `PROPERTY_RUNS=30000 npx jest test/hardening`) runs each bulk property n times, and the slower
// properties (a real authorizer per run) the given share of n.
export function propertyRuns(defaultRuns: number, share = 1, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.PROPERTY_RUNS?.trim();
  if (raw === undefined || raw === '') return defaultRuns;
  const runs = Number(raw);
  if (!Number.isSafeInteger(runs) || runs < 1) {
    throw new Error(`PROPERTY_RUNS must be a positive integer; got "${raw}"`);
  }
  return Math.max(defaultRuns, Math.round(runs * share));
}

/** A jest timeout for `runs` runs of about `msPerRun` each: jest's 30 s default, or more for a long opt-in run. */
export function propertyTimeout(runs: number, msPerRun: number): number {
  return Math.max(30_000, runs * msPerRun * 3);
}
