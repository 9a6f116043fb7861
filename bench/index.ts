// Public surface of the benchmark, for the smoke test and anyone scripting it.
export { parseBenchArgs, BenchUsageError } from './options';
export type { BenchOptions } from './options';
export { runBench } from './suite';
export type { BenchResults } from './suite';
export { renderReport, TARGETS } from './report';
