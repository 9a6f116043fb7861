// The route-table sections of the report and their target rows; with `--only route-tables`, the whole report.
// Targets are read from the rows; nothing here (or in the tests) asserts a timing.
import { formatNumber, markdownTable, type Cell } from './markdown';
import { LONG_PATH_BYTES, type PathKind } from './route-table-shapes';
import type { RouteTableSeries, RouteTablesReport, SynthSeries, SynthSeriesId } from './route-tables';
import type { MachineNote, RouteTablesResults } from './suite';

export const ROUTE_TABLE_TARGETS = Object.freeze({
  /** What the first decision may add to the 4-route baseline's, on any table up to 1,000 routes. */
  firstDecisionAddedMs: 20,
  laterDecisionMs: 2,
  /** "Nothing measurable": what an 8 KB path may add to a warm decision. */
  longPathAddedMs: 0.1,
  synthSeconds: 10,
});

const ms = (value: number, digits = 1): string => `${formatNumber(value, digits)} ms`;
const added = (value: number, digits = 1): string => `${value >= 0 ? '+' : ''}${ms(value, digits)}`;
const seconds = (valueMs: number): string => `${formatNumber(valueMs / 1000, 2)} s`;
const count = (value: number): string => Math.round(value).toLocaleString('en-US');

/** "ALLOWED 9/9", or every outcome seen with its count. */
function outcomeOf(outcomes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o} ${n}/${outcomes.length}`).join(', ');
}

const scopeSet = (s: RouteTableSeries): string => `every ${s.scopeSet}N`;
const named = (s: RouteTableSeries): string => `${s.label}, ${scopeSet(s)}`;

function worst<T>(items: readonly T[], value: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>(
    (w, item) => (w === undefined || value(item) > value(w) ? item : w),
    undefined,
  );
}

function decisionRows(r: RouteTablesReport): Cell[][] {
  return r.series.map((s) => [
    s.label,
    scopeSet(s),
    s.table === 'baseline' ? ms(s.medianLoadMs) : `${ms(s.medianLoadMs)} (${added(s.loadAddedMs)})`,
    ms(s.medianFirstMs),
    s.table === 'baseline' ? '' : `${added(s.firstAddedMs)} (${formatNumber(s.firstRatio, 2)}x)`,
    ms(s.laterMs, 3),
    `${count(s.allowResources)} / ${count(s.denyResources)}`,
    `${count(s.policyBytes)} B`,
    outcomeOf(s.outcomes),
  ]);
}

function pathRows(r: RouteTablesReport): Cell[][] {
  const outcome = (s: RouteTableSeries, kind: PathKind): string => s.pathOutcome[kind];
  return r.series.map((s) => [
    s.label,
    scopeSet(s),
    ms(s.pathMs.short, 3),
    ms(s.pathMs['long-value'], 3),
    added(s.pathAddedMs['long-value'], 3),
    ms(s.pathMs['many-segments'], 3),
    added(s.pathAddedMs['many-segments'], 3),
    `${outcome(s, 'short')} / ${outcome(s, 'long-value')} / ${outcome(s, 'many-segments')}`,
  ]);
}

const SYNTH_LABEL: Readonly<Record<SynthSeriesId, string>> = {
  baseline: 'RestApi + JwtAuthorizer.addRoutes, the 4-route baseline table',
  'nested-1000': 'RestApi + JwtAuthorizer.addRoutes, the nested table',
  'nested-1000-plain': 'RestApi, the same methods without JwtAuthorizer (what CDK itself costs)',
};

function synthRows(r: RouteTablesReport): Cell[][] {
  return r.synth.map((s) => [
    SYNTH_LABEL[s.id],
    count(s.routes),
    seconds(s.constructMs),
    seconds(s.synthMs),
    seconds(s.totalMs),
    s.id === 'baseline' ? '' : `${s.addedMs >= 0 ? '+' : ''}${seconds(s.addedMs)}`,
    count(s.resources),
    s.authorizer,
  ]);
}

export function routeTablesSections(r: RouteTablesReport): string[] {
  const out: string[] = [];
  out.push('', '## Route tables: policy cost per scope set', '');
  out.push(
    `Fresh processes on node ${r.node} (the node this bench runs on), ${r.processes} per row, interleaved process ` +
      'by process with the 4-route baseline. Each loads the deployed bundle with its route table (routes.json) ' +
      'and a JWKS seed beside it, rendered as the construct ships them (no network before the first decision), ' +
      'and decides TOKEN events for a token holding every rN, or every aN, of the table. Nested table, per ' +
      'resource: `/orgs/{org}/rN`, `/rN/{id}` and `/rN/{id}/{rest+}` need rN, the `sub` levels `/rN/{id}/sub` ' +
      'and `/rN/{id}/sub/{x}` need aN (all GET). Flat CRUD table: GET /rN and GET /rN/{id} need rN; POST /rN, ' +
      'PUT and DELETE /rN/{id} need aN. Baseline: the nested table of r0 without its greedy route. "Load": ' +
      'importing the bundle (configuration, route table and its conflicts, at init). "First decision": the ' +
      'first handler call, token verification included; "added" and "x": medians of per-process differences ' +
      `and ratios to the baseline process of the same scope set. "Later": median of ${r.laterDecisions} ` +
      'decisions per process, each with its own token of the same scope set, once the seed has been refreshed. ' +
      "The policy: its Allow / Deny resources and its document's JSON bytes; the outcome: the first request's " +
      'logged reason.',
  );
  out.push('');
  out.push(
    markdownTable(
      [
        'table',
        'scope set',
        'load (added)',
        'first decision',
        'first decision added (x baseline)',
        'later (median)',
        'Allow / Deny',
        'policy JSON',
        'outcome',
      ],
      decisionRows(r),
    ),
  );

  out.push('', `## Route tables: an ${LONG_PATH_BYTES / 1024} KB path`, '');
  out.push(
    `The same processes, after the later decisions: ${r.pathRounds} interleaved rounds, each deciding the held ` +
      `request with its short path, with its \`{id}\` value grown until the path is ${count(LONG_PATH_BYTES)} ` +
      `bytes, and followed by two-byte segments to ${count(LONG_PATH_BYTES)} bytes ` +
      `(${r.pathSegments.map(count).join(' to ')} segments); each decision with its own token, LOG_LEVEL info ` +
      '(the outcome routes the path for the log line). Medians over ' +
      'every round of every process; "added": median of per-round differences to the short path.',
  );
  out.push('');
  out.push(
    markdownTable(
      [
        'table',
        'scope set',
        'short path',
        `${LONG_PATH_BYTES / 1024} KB value`,
        'added',
        `${LONG_PATH_BYTES / 1024} KB of segments`,
        'added',
        'outcome (short / value / segments)',
      ],
      pathRows(r),
    ),
  );

  out.push('', '## Route tables: synth', '');
  out.push(
    `A fresh process per synth (${r.synthRuns} per app, interleaved), timed from \`new App()\` to the end of ` +
      '`app.synth()`, module loading excluded, as the infra tests synthesize: CDK_VALIDATION=false (the built-in ' +
      'CloudFormation validation adds seconds to any synth) and no bundling (the construct stages its prebuilt ' +
      "bundle). CloudFormation's 500-resource limit per stack is lifted: 1,000 methods make about 2,200 " +
      'resources, which a deployable app splits across stacks.',
  );
  out.push('');
  out.push(
    markdownTable(
      [
        'app',
        'routes',
        'construct + routes',
        'app.synth()',
        'total',
        'added vs 4 routes',
        'resources',
        'authorizer',
      ],
      synthRows(r),
    ),
  );
  return out;
}

export function routeTablesTargetRows(r: RouteTablesReport): Cell[][] {
  const t = ROUTE_TABLE_TARGETS;
  const tables = r.series.filter((s) => s.table !== 'baseline');
  const firstWorst = worst(tables, (s) => s.firstAddedMs);
  const at300 = tables.filter((s) => s.table === 'nested-300').map((s) => added(s.firstAddedMs));
  const laterWorst = worst(r.series, (s) => s.laterMs);
  const paths = r.series.flatMap((s) =>
    (['long-value', 'many-segments'] as const).map((kind) => ({ s, kind, ms: s.pathAddedMs[kind] })),
  );
  const pathWorst = worst(paths, (p) => p.ms);
  const synthOf = (id: SynthSeriesId): SynthSeries | undefined => r.synth.find((s) => s.id === id);
  const nested = synthOf('nested-1000');
  const verdict = (met: boolean): string => (met ? 'met' : '**missed**');
  return [
    [
      `first decision adds < ${t.firstDecisionAddedMs} ms to the 4-route baseline's, any table up to 1,000 ` +
        'routes, either scope set',
      firstWorst === undefined
        ? 'n/a'
        : `${added(firstWorst.firstAddedMs)} at worst (${named(firstWorst)}: ${ms(firstWorst.medianFirstMs)}); ` +
          `nested, 300 routes: ${at300.join(' / ')} (every rN / every aN)`,
      verdict(firstWorst !== undefined && firstWorst.firstAddedMs < t.firstDecisionAddedMs),
    ],
    [
      `later decisions < ${t.laterDecisionMs} ms (median), any table, either scope set`,
      laterWorst === undefined ? 'n/a' : `${ms(laterWorst.laterMs, 3)} at worst (${named(laterWorst)})`,
      verdict(laterWorst !== undefined && laterWorst.laterMs < t.laterDecisionMs),
    ],
    [
      `an ${LONG_PATH_BYTES / 1024} KB path adds nothing measurable (< ${t.longPathAddedMs} ms, warm), one ` +
        'long value or many segments',
      pathWorst === undefined
        ? 'n/a'
        : `${added(pathWorst.ms, 3)} at worst (${named(pathWorst.s)}, ${pathWorst.kind === 'long-value' ? 'one long value' : 'many segments'})`,
      verdict(pathWorst !== undefined && pathWorst.ms < t.longPathAddedMs),
    ],
    [
      `synth of the 1,000-route nested table < ${t.synthSeconds} s`,
      nested === undefined
        ? 'n/a'
        : `${seconds(nested.totalMs)} (CDK alone, without JwtAuthorizer: ${seconds(synthOf('nested-1000-plain')?.totalMs ?? Number.NaN)})`,
      verdict(nested !== undefined && nested.totalMs < t.synthSeconds * 1000),
    ],
  ];
}

export function machineLine(machine: MachineNote): string {
  return (
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), Node.js ${machine.node}, load average at start ` +
    `${machine.loadAverage.map((l) => formatNumber(l, 2)).join(' / ')}.`
  );
}

/** The report of `--only route-tables`: the machine, the route-table sections and their targets. */
export function renderRouteTablesReport(results: RouteTablesResults): string {
  const out: string[] = [
    `# Benchmark results, route tables only (${results.options.quick ? 'quick smoke run: figures are not meaningful' : 'full run'})`,
    '',
    machineLine(results.machine),
    ...routeTablesSections(results.routeTables),
    '',
    '## Targets',
    '',
    markdownTable(['target', 'measured', 'verdict'], routeTablesTargetRows(results.routeTables)),
  ];
  return out.join('\n') + '\n';
}
