// Smoke test of `npm run bench -- --quick --only route-tables`: the route-table module runs end to end on the
// deployed bundle and prints its three tables and its targets with every row and well-formed cells. It asserts
// no timing and no target: those are read, not tested.
import { runQuickBench, table } from './quick-bench';

const TABLES = [
  '4-route baseline',
  'nested, 20 routes',
  'nested, 100 routes',
  'nested, 300 routes',
  'nested, 1,000 routes',
  'flat CRUD, 1,000 routes',
];
/** Every table, for a token holding every rN and one holding every aN: the rows of the first two tables. */
const ROWS = TABLES.flatMap((label) => [
  [label, 'every rN'],
  [label, 'every aN'],
]);

const MS = /^[\d,]+\.\d ms$/;
const MS3 = /^[\d,]+\.\d{3} ms$/;
const ADDED3 = /^[+-][\d,]+\.\d{3} ms$/;
const REASON = /^(ALLOWED|INSUFFICIENT_SCOPE|UNDECLARED_ROUTE|UNSAFE_PATH|OVER_DENIED)$/;
const SECONDS = /^\d+\.\d\d s$/;

describe('npm run bench -- --quick --only route-tables', () => {
  let report = '';

  beforeAll(async () => {
    const run = await runQuickBench('--only', 'route-tables');
    if (run.code !== 0) throw new Error(`bench exited with ${run.code}: ${run.stderr}`);
    report = run.stdout;
  }, 150_000);

  test('says it ran the route tables alone, quick, and on which node', () => {
    const [title, , machine] = report.split('\n');
    expect(title).toBe(
      '# Benchmark results, route tables only (quick smoke run: figures are not meaningful)',
    );
    expect(machine).toMatch(/^Machine: \d+ CPUs \(.+\), Node\.js v\d+\.\d+\.\d+, load average at start /);
    expect(report).toContain(
      `Fresh processes on node ${process.version} (the node this bench runs on), 1 per row`,
    );
  });

  test('policy cost table: load, first and later decisions and the policy, per table and scope set', () => {
    const [header, ...rows] = table(report, 'Route tables: policy cost per scope set');
    expect(header).toEqual([
      'table',
      'scope set',
      'load (added)',
      'first decision',
      'first decision added (x baseline)',
      'later (median)',
      'Allow / Deny',
      'policy JSON',
      'outcome',
    ]);
    expect(rows.map((r) => r.slice(0, 2))).toEqual(ROWS);
    for (const [i, row] of rows.entries()) {
      const baseline = i < 2;
      expect(row[2]).toMatch(baseline ? MS : /^[\d,]+\.\d ms \([+-][\d,]+\.\d ms\)$/);
      expect(row[3]).toMatch(MS);
      expect(row[4]).toMatch(baseline ? /^$/ : /^[+-][\d,]+\.\d ms \(\d+\.\d\dx\)$/);
      expect(row[5]).toMatch(MS3);
      expect(row[6]).toMatch(/^[1-9][\d,]* \/ [1-9][\d,]*$/);
      expect(row[7]).toMatch(/^[1-9][\d,]* B$/);
      expect(row[8]).toMatch(/^[A-Z_]+ 1\/1$/);
    }
    // The 4-route table's held requests are allowed: the processes decided real requests, not errors.
    expect(rows.slice(0, 2).map((r) => r[8])).toEqual(['ALLOWED 1/1', 'ALLOWED 1/1']);
  });

  test('8 KB path table: the short path against one long value and ~4,000 segments, warm', () => {
    const [header, ...rows] = table(report, 'Route tables: an 8 KB path');
    expect(header).toEqual([
      'table',
      'scope set',
      'short path',
      '8 KB value',
      'added',
      '8 KB of segments',
      'added',
      'outcome (short / value / segments)',
    ]);
    expect(rows.map((r) => r.slice(0, 2))).toEqual(ROWS);
    for (const row of rows) {
      for (const i of [2, 3, 5]) expect(row[i]).toMatch(MS3);
      for (const i of [4, 6]) expect(row[i]).toMatch(ADDED3);
      const outcomes = (row[7] as string).split(' / ');
      expect(outcomes).toHaveLength(3);
      for (const outcome of outcomes) expect(outcome).toMatch(REASON);
    }
  });

  test('synth table: the 4-route and 1,000-route apps with JwtAuthorizer, and the bare methods', () => {
    const [header, ...rows] = table(report, 'Route tables: synth');
    expect(header).toEqual([
      'app',
      'routes',
      'construct + routes',
      'app.synth()',
      'total',
      'added vs 4 routes',
      'resources',
      'authorizer',
    ]);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      ['RestApi + JwtAuthorizer.addRoutes, the 4-route baseline table', '4'],
      ['RestApi + JwtAuthorizer.addRoutes, the nested table', '1,000'],
      ['RestApi, the same methods without JwtAuthorizer (what CDK itself costs)', '1,000'],
    ]);
    for (const row of rows) for (const i of [2, 3, 4]) expect(row[i]).toMatch(SECONDS);
    expect(rows.map((r) => r[5])).toEqual([
      '',
      expect.stringMatching(/^[+-]\d+\.\d\d s$/),
      expect.stringMatching(/^[+-]\d+\.\d\d s$/),
    ]);
    for (const row of rows) expect(row[6]).toMatch(/^[1-9][\d,]*$/);
    expect(rows.map((r) => r[7])).toEqual([
      expect.stringMatching(/^(TOKEN|REQUEST)$/),
      expect.stringMatching(/^(TOKEN|REQUEST)$/),
      'none',
    ]);
  });

  test('targets: first and later decisions, the 8 KB path and the synth, each read from the rows', () => {
    const [header, ...rows] = table(report, 'Targets');
    expect(header).toEqual(['target', 'measured', 'verdict']);
    expect(rows.map((r) => r[0])).toEqual([
      "first decision adds < 20 ms to the 4-route baseline's, any table up to 1,000 routes, either scope set",
      'later decisions < 2 ms (median), any table, either scope set',
      'an 8 KB path adds nothing measurable (< 0.1 ms, warm), one long value or many segments',
      'synth of the 1,000-route nested table < 10 s',
    ]);
    expect(rows[0]?.[1]).toMatch(
      /^[+-][\d,]+\.\d ms at worst \((nested|flat CRUD), [\d,]+ routes, every [ra]N: [\d,]+\.\d ms\); nested, 300 routes: [+-][\d,]+\.\d ms \/ [+-][\d,]+\.\d ms \(every rN \/ every aN\)$/,
    );
    expect(rows[1]?.[1]).toMatch(/^[\d,]+\.\d{3} ms at worst \(.+, every [ra]N\)$/);
    expect(rows[2]?.[1]).toMatch(
      /^[+-][\d,]+\.\d{3} ms at worst \(.+, every [ra]N, (one long value|many segments)\)$/,
    );
    expect(rows[3]?.[1]).toMatch(/^\d+\.\d\d s \(CDK alone, without JwtAuthorizer: \d+\.\d\d s\)$/);
    for (const row of rows) expect(['met', '**missed**']).toContain(row[2]);
  });
});
