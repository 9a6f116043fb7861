// Smoke test of `npm run bench -- --quick --only dpop`: the DPoP module runs end to end (real keys, real
// proofs, DynamoDB Local for the replay table) and prints its tables (both token algorithms, the node:crypto
// floor) with every row and well-formed cells.
// It asserts no timing and no target verdict: those are read, not tested.
import { runQuickBench, table } from './quick-bench';

const US = /^[\d,]+\.\d µs$/;
const TIMES = /^\d+\.\d\dx$/;

describe('npm run bench -- --quick --only dpop', () => {
  let report = '';

  beforeAll(async () => {
    const run = await runQuickBench('--only', 'dpop');
    if (run.code !== 0) throw new Error(`bench exited with ${run.code}: ${run.stderr}`);
    report = run.stdout;
  }, 120_000);

  test('says it ran DPoP alone, quick, and on which node', () => {
    const [title, , machine] = report.split('\n');
    expect(title).toBe('# Benchmark results, DPoP only (quick smoke run: figures are not meaningful)');
    expect(machine).toMatch(/^Machine: \d+ CPUs \(.+\), Node\.js v\d+\.\d+\.\d+, load average at start /);
  });

  test('warm table: for each access token algorithm, a bearer and a DPoP decision, the ratio and its bound', () => {
    const [header, ...rows] = table(report, 'DPoP: warm cost per decision');
    expect(header).toEqual([
      'access token',
      'DPoP proof',
      'bearer decision',
      'DPoP decision',
      'x bearer',
      'bound',
    ]);
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ['ES256', 'ES256'],
      ['RS256', 'ES256'],
    ]);
    for (const row of rows) {
      expect(row.slice(2, 4).every((cell) => US.test(cell))).toBe(true);
      expect(row.slice(4).every((cell) => TIMES.test(cell))).toBe(true);
    }
  });

  test('crypto floor: node:crypto alone, each token verify and each token verify with the proof verify', () => {
    const [header, ...rows] = table(report, 'DPoP: the crypto floor');
    expect(header).toEqual(['floor', 'per request', 'x token verify']);
    expect(rows.map((r) => [r[0], r[2] === '1.00x'])).toEqual([
      ['ES256 token verify', true],
      ['floor: ES256 token verify + ES256 proof verify', false],
      ['RS256 token verify', true],
      ['floor: RS256 token verify + ES256 proof verify', false],
    ]);
    expect(rows.every((r) => US.test(r[1] as string) && TIMES.test(r[2] as string))).toBe(true);
  });

  test('replay table: in memory against DynamoDB Local, with the added latency', () => {
    const [header, ...rows] = table(report, 'DPoP: replay table on DynamoDB Local');
    expect(header).toEqual(['replay check', 'per decision', 'added']);
    expect(rows.map((r) => r[0])).toEqual(['in memory (per instance)', 'replay table (DynamoDB Local)']);
    expect(rows.map((r) => r[1]).every((cell) => US.test(cell as string))).toBe(true);
    expect(rows.map((r) => r[2])).toEqual(['', expect.stringMatching(/^[+-][\d,]+\.\d µs$/)]);
  });

  test('targets: the 2x target for each pair, with its measured ratio, its bound and a verdict', () => {
    const [header, ...rows] = table(report, 'Targets');
    expect(header).toEqual(['target', 'measured', 'bound', 'verdict']);
    const verdict = expect.stringMatching(/^(met|\*\*missed\*\*)$/);
    const ratio = expect.stringMatching(TIMES);
    expect(rows).toEqual([
      ['DPoP decision <= 2x bearer decision (ES256 token, ES256 proof)', ratio, ratio, verdict],
      ['DPoP decision <= 2x bearer decision (RS256 token, ES256 proof)', ratio, ratio, verdict],
    ]);
  });
});
