// The default log sink: each line written to file descriptor 1 directly (no process.stdout on the path), and
// when that descriptor is non-blocking and full, the rest handed to process.stdout: every line arrives whole,
// once, in order. Real child processes and real pipes; the parent stops reading for a while so the pipe fills.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

// Built to plain JavaScript and run by node alone: a TypeScript loader in the child (tsx) creates process.stdout
// itself, which makes fd 1 non-blocking before the code under test runs.
const dir = mkdtempSync(join(tmpdir(), 'log-sink-'));
const program = join(dir, 'log-lines.mjs');
beforeAll(() => {
  buildSync({
    entryPoints: [join(__dirname, 'fixtures', 'log-lines.ts')],
    outfile: program,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly lines: Array<{ n: number; text: string; message: string }>;
  readonly stdoutReads: number;
}

async function run(lines: number, nonBlocking: boolean, long = false): Promise<Run> {
  const child = spawn(process.execPath, [program], {
    env: {
      PATH: process.env.PATH,
      LINES: String(lines),
      NONBLOCKING: nonBlocking ? '1' : '0',
      LONG: long ? '1' : '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // Nobody reads for a while: the pipe and the stream's buffer fill, and the child's writes must wait or queue.
  child.stdout.pause();
  await new Promise((resolve) => setTimeout(resolve, 400));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdout.resume();
  const [code] = await Promise.all([exited, new Promise((resolve) => child.stdout.on('end', resolve))]);
  expect({ code, stderr: stderr.includes('stdoutReads') ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  const text = Buffer.concat(chunks).toString('utf8');
  return {
    lines: text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Run['lines'][number]),
    stdoutReads: (JSON.parse(stderr) as { stdoutReads: number }).stdoutReads,
  };
}

const TEXT = 'é€'.repeat(150);

test('lines go to fd 1 without process.stdout: a blocking pipe that fills only makes the writer wait', async () => {
  const { lines, stdoutReads } = await run(600, false);
  expect(stdoutReads).toBe(0);
  expect(lines.map((l) => l.n)).toEqual([...Array(600).keys()]);
  expect(lines.every((l) => l.text === TEXT && l.message === 'line')).toBe(true);
}, 30_000);

test('a non-blocking, full fd 1 hands the rest to process.stdout: every line whole, once, in order', async () => {
  // About 1 MB of lines: far more than a pipe (64 KB) and the reader's buffer hold while nobody reads.
  const { lines, stdoutReads } = await run(1200, true);
  expect(stdoutReads).toBeGreaterThan(0);
  expect(lines.map((l) => l.n)).toEqual([...Array(1200).keys()]);
  expect(lines.every((l) => l.text === TEXT && l.message === 'line')).toBe(true);
}, 30_000);

test('60 KB lines on a non-blocking, full fd 1: partial writes finish through process.stdout, characters whole', async () => {
  const { lines, stdoutReads } = await run(40, true, true);
  expect(stdoutReads).toBeGreaterThan(0);
  expect(lines.map((l) => l.n)).toEqual([...Array(40).keys()]);
  expect(lines.every((l) => l.text === 'é€'.repeat(12_000) && l.message === 'line')).toBe(true);
}, 30_000);
