// Unexpected failures are logged with a stack mapped to the TypeScript sources, read from the bundle's source
// map only then (the authorizer runs without --enable-source-maps, which would index the map at every cold
// start). The bundle here is built by esbuild exactly as the authorizer's is: minified ESM with a linked map.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { sourceMappedStack } from '../../lambda/authorizer/stack-trace';

const FIXTURE = join(__dirname, 'fixtures', 'throws-at-known-line.ts');

let dir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stack-trace-'));
  bundle = join(dir, 'index.mjs');
  buildSync({
    entryPoints: [FIXTURE],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle's run() in a fresh node without --enable-source-maps; returns what it mapped. */
function stackFromBundle(): string[] {
  const program = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then((m) => m.run()).then((s) => process.stdout.write(JSON.stringify(s)))`;
  const child = spawnSync(process.execPath, ['-e', program], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  expect(child.stderr).toBe('');
  return (JSON.parse(child.stdout) as string).split('\n');
}

describe('sourceMappedStack', () => {
  test("a minified bundle's frames point at the TypeScript lines that threw and called", () => {
    const frames = stackFromBundle();
    // The throw, then its caller; the generated (minified) function names stay as Node printed them.
    expect(frames[0]).toMatch(
      /^at \S+ \((?:[\w.-]+\/)*test\/authorizer\/fixtures\/throws-at-known-line\.ts:6:9\)$/,
    );
    expect(frames[1]).toMatch(
      /^at \S+ \((?:[\w.-]+\/)*test\/authorizer\/fixtures\/throws-at-known-line\.ts:11:5\)$/,
    );
    // The message is not repeated: the log line carries it as `detail`.
    expect(frames.join('\n')).not.toContain('cannot read');
  });

  test('without the map beside the bundle, every frame stays exactly as Node printed it', () => {
    unlinkSync(`${bundle}.map`);
    const frames = stackFromBundle();
    expect(frames[0]).toMatch(
      new RegExp(`^at \\S+ \\(${pathToFileURL(bundle).href.replace(/[.]/g, '\\.')}:\\d+:\\d+\\)$`),
    );
    expect(frames.some((f) => f.includes('.ts:'))).toBe(false);
  });

  test('a stack with a frame that names no file keeps that frame as it is', async () => {
    const error = new Error('x');
    error.stack =
      'Error: x\n    at async Promise.all (index 0)\n    at node:internal/process/task_queues:95:5';
    await expect(sourceMappedStack(error)).resolves.toBe(
      'at async Promise.all (index 0)\nat node:internal/process/task_queues:95:5',
    );
  });

  test.each([
    ['a string', 'boom'],
    ['null', null],
    ['an object without a stack', { message: 'x' }],
    ['an error whose stack has no frames', Object.assign(new Error('x'), { stack: 'Error: x' })],
  ])('%s gives no stack', async (_name, thrown) => {
    await expect(sourceMappedStack(thrown)).resolves.toBeUndefined();
  });
});
