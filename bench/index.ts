// Public surface of the benchmark, for the smoke test and anyone scripting it.
export { parseBenchArgs, BenchUsageError } from './options';
export type { BenchModule, BenchOptions } from './options';
export { runBench, runRouteTablesBench } from './suite';
export type { BenchResults, RouteTablesResults } from './suite';
export { renderReport, TARGETS } from './report';
export { renderRouteTablesReport } from './route-tables-report';
