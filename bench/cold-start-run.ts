// `npm run bench:cold-start [-- --processes N] [-- --series a,b,...]`: the cold-start part of the bench alone,
// with as many processes per series as asked (the full bench runs 15), printed as the full report prints it.
// With --series only those series run, interleaved, and a table of their medians is printed instead.
import { cpus, loadavg } from 'node:os';
import { buildDeployedBundle } from './bundle';
import { SERIES, measureColdStarts, type ColdSeriesId } from './cold-start';
import { startFixtures } from './fixtures';
import { formatNumber, markdownTable } from './markdown';
import { coldStartTargetRows, renderColdStart } from './report';
import { median, medianDifference } from './stats';

interface Args {
  readonly processes: number;
  readonly series: readonly ColdSeriesId[];
}

const USAGE = 'usage: npm run bench:cold-start [-- --processes N] [--series id,id,...]';

function parseArgs(argv: readonly string[]): Args {
  let processes = 15;
  let series: readonly ColdSeriesId[] = SERIES;
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--processes' && value !== undefined && /^[1-9]\d*$/.test(value)) processes = Number(value);
    else if (flag === '--series' && value !== undefined) {
      const ids = value.split(',');
      const unknown = ids.find((id) => !(SERIES as readonly string[]).includes(id));
      if (unknown !== undefined) throw new Error(`unknown series "${unknown}"; one of ${SERIES.join(', ')}`);
      series = ids as ColdSeriesId[];
    } else throw new Error(USAGE);
  }
  return { processes, series };
}

async function main(): Promise<void> {
  const { processes, series } = parseArgs(process.argv.slice(2));
  const load = loadavg();
  const out: string[] = [
    `# Cold start (${processes} processes per series)`,
    '',
    `Machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node.js ${process.version}, ` +
      `load average at start ${load.map((l) => formatNumber(l, 2)).join(' / ')}.`,
  ];
  const fixtures = await startFixtures();
  try {
    const bundle = await buildDeployedBundle(fixtures.workDir);
    process.stderr.write(`bench: cold start, ${series.length} series x ${processes} processes\n`);
    const report = await measureColdStarts(fixtures, bundle.bundleFile, processes, series);
    if (series.length === SERIES.length) {
      out.push(...renderColdStart(bundle, report), '', '## Targets', '');
      out.push(markdownTable(['target', 'measured', 'verdict'], coldStartTargetRows(report)));
    } else {
      out.push('', '## Series run', '');
      out.push(
        markdownTable(
          [
            'series',
            'median ms (spawn to exit)',
            'min',
            'max',
            `vs ${series[0]} (median of differences)`,
            'CPU ms (median)',
          ],
          series.map((id) => {
            const values = report.ms[id];
            return [
              id,
              formatNumber(median(values), 1),
              formatNumber(Math.min(...values), 1),
              formatNumber(Math.max(...values), 1),
              formatNumber(medianDifference(values, report.ms[series[0] as ColdSeriesId]), 2),
              formatNumber(report.cpuMs[id], 2),
            ];
          }),
        ),
      );
      if (series.includes('unseeded-runtime')) {
        const r = report.runtime;
        out.push('', '## Invocations (medians; added: median of differences vs unseeded)', '');
        out.push(
          markdownTable(
            [
              'invocation',
              'seeded',
              'seeded, old seed',
              'seeded, aging seed',
              'unseeded',
              'added',
              'added, old seed',
              'added, aging seed',
            ],
            r.seededMs.map((seeded, at) => [
              String(at + 1),
              formatNumber(seeded, 2),
              formatNumber(r.oldSeededMs[at] ?? Number.NaN, 2),
              formatNumber(r.agingSeededMs[at] ?? Number.NaN, 2),
              formatNumber(r.unseededMs[at] ?? Number.NaN, 2),
              formatNumber(r.addedMs[at] ?? Number.NaN, 2),
              formatNumber(r.oldAddedMs[at] ?? Number.NaN, 2),
              formatNumber(r.agingAddedMs[at] ?? Number.NaN, 2),
            ]),
          ),
        );
        out.push(
          '',
          `seed replaced after answer ` +
            `${formatNumber(r.replacedAfter.seeded, 1)} (${r.replaced.seeded}/${r.processes}), old seed ` +
            `${formatNumber(r.replacedAfter.oldSeeded, 1)} (${r.replaced.oldSeeded}/${r.processes}), aging seed ` +
            `${formatNumber(r.replacedAfter.agingSeeded, 1)} (${r.replaced.agingSeeded}/${r.processes})`,
        );
      }
      if (series.includes('unseeded-runtime') && series.some((id) => id.startsWith('provisioned-'))) {
        const p = report.runtime.provisioned;
        out.push(
          '',
          `## Provisioned invocations (medians; added: median of differences vs unseeded warm, ${formatNumber(p.unseededWarmMs, 2)} ms)`,
          '',
        );
        out.push(
          markdownTable(
            [
              'invocation',
              'provisioned',
              'provisioned, old seed',
              'provisioned, no warm-up',
              'added',
              'added, old seed',
              'added, no warm-up',
              'over no warm-up',
              'over no warm-up, old seed',
            ],
            p.seededMs.map((seeded, at) => [
              String(at + 1),
              ...[
                seeded,
                p.oldSeededMs[at],
                p.offMs[at],
                p.addedMs[at],
                p.oldAddedMs[at],
                p.offAddedMs[at],
                p.overOffMs[at],
                p.oldOverOffMs[at],
              ].map((value) => formatNumber(value ?? Number.NaN, 2)),
            ]),
          ),
        );
        out.push(
          '',
          `seed replaced after answer ${formatNumber(p.replacedAfter.seeded, 1)} (${p.replaced.seeded}/${processes}), ` +
            `old seed ${formatNumber(p.replacedAfter.oldSeeded, 1)} (${p.replaced.oldSeeded}/${processes})`,
        );
      }
    }
  } finally {
    await fixtures.close();
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
