// Runs `npm run bench -- --quick [...]` (or another bench script) in a child process (under tsx, as npm does)
// and reads the markdown report it prints: the tables under a `## ` heading, as rows of trimmed cells.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

export interface BenchRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `bench/run.ts --quick` with `args` after it. */
export function runQuickBench(...args: string[]): Promise<BenchRun> {
  return runBenchScript('bench/run.ts', ['--quick', ...args]);
}

/** `script` (a path from the project root) under tsx, with `args`. */
export function runBenchScript(script: string, args: readonly string[]): Promise<BenchRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), script, ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** The rows (cells trimmed) of the `index`th table (0: the first) under `## heading`, header row first. */
export function table(report: string, heading: string, index = 0): string[][] {
  const section = report.split(/^## /m).find((s) => s.startsWith(heading));
  if (section === undefined) throw new Error(`no section "${heading}"`);
  const tables = section
    .split(/\n(?!\|)/)
    .map((block) => block.split('\n').filter((line) => line.startsWith('|')))
    .filter((lines) => lines.length > 0);
  const lines = tables[index];
  if (lines === undefined) throw new Error(`section "${heading}" has no table ${index}`);
  return lines
    .filter((line) => !/^\|(\s*-+:?\s*\|)+$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}
