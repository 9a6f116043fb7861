// `npm run bench [-- --quick] [--only route-tables|warm|dpop]`: runs every measurement (or one module) and prints the
// markdown report on stdout.
import { openSync, writeSync } from 'node:fs';
import { setLogSink } from 'bearer-gate/authorizer';
import { renderDpopReport, renderDpopSections } from './dpop-report';
import { runDpopBench } from './dpop';
import { parseBenchArgs } from './options';
import { renderReport, renderWarmReport } from './report';
import { renderRouteTablesReport } from './route-tables-report';
import { runBench, runRouteTablesBench, runWarmBench } from './suite';

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  // Decision logs are part of the cost, so they are really serialized and written, one syscall per line as
  // on Lambda, but to /dev/null so that stdout carries only the report.
  const devNull = openSync('/dev/null', 'w');
  setLogSink((line) => {
    writeSync(devNull, line + '\n');
  });
  const progress = (line: string): void => {
    process.stderr.write(`bench: ${line}\n`);
  };
  const report =
    options.only === 'route-tables'
      ? renderRouteTablesReport(await runRouteTablesBench(options, progress))
      : options.only === 'warm'
        ? renderWarmReport(await runWarmBench(options, progress))
        : options.only === 'dpop'
          ? renderDpopReport(await runDpopBench(options, progress))
          : renderReport(await runBench(options, progress)) +
            '\n' +
            renderDpopSections((await runDpopBench(options, progress)).dpop);
  process.stdout.write(report, () => {
    // jwks-rsa's rate limiter keeps probe requests queued on timers for minutes after the probe has been
    // counted; the report is complete, so the run ends here instead of waiting for that queue to drain.
    process.exit();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
