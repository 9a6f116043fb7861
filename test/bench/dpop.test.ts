// Smoke test of `npm run bench -- --quick --only dpop`: the DPoP module runs end to end (real keys, real
// proofs, DynamoDB Local for the replay table) and prints its tables with every row and well-formed cells.
// It asserts no timing and no target verdict: those are read, not tested.
import { runQuickBench, table } from './quick-bench';

const US = /^[\d,]+\.\d µs$/;

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

  test('warm table: a bearer decision and a DPoP decision, the DPoP one as a multiple of the bearer one', () => {
    const [header, ...rows] = table(report, 'DPoP: warm cost per decision');
    expect(header).toEqual(['decision', 'per decision', 'x bearer']);
    expect(rows.map((r) => r[0])).toEqual(['bearer token', 'DPoP, replay check in memory']);
    expect(rows.map((r) => r[1]).every((cell) => US.test(cell as string))).toBe(true);
    expect(rows.map((r) => r[2])).toEqual(['1.00x', expect.stringMatching(/^\d+\.\d\dx$/)]);
  });

  test('replay table: in memory against DynamoDB Local, with the added latency', () => {
    const [header, ...rows] = table(report, 'DPoP: replay table on DynamoDB Local');
    expect(header).toEqual(['replay check', 'per decision', 'added']);
    expect(rows.map((r) => r[0])).toEqual(['in memory (per instance)', 'replay table (DynamoDB Local)']);
    expect(rows.map((r) => r[1]).every((cell) => US.test(cell as string))).toBe(true);
    expect(rows.map((r) => r[2])).toEqual(['', expect.stringMatching(/^[+-][\d,]+\.\d µs$/)]);
  });

  test('targets: the 2x target with its measured ratio and a verdict', () => {
    const [header, ...rows] = table(report, 'Targets');
    expect(header).toEqual(['target', 'measured', 'verdict']);
    expect(rows).toEqual([
      [
        'DPoP decision <= 2x bearer decision',
        expect.stringMatching(/^\d+\.\d\dx$/),
        expect.stringMatching(/^(met|\*\*missed\*\*)$/),
      ],
    ]);
  });
});
