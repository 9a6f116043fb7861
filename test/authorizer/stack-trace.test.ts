// Unexpected failures are logged with a stack mapped to the TypeScript sources, read from the bundle's source
// map only then (the authorizer runs without --enable-source-maps, which would index the map at every cold
// start). The bundle here is built by esbuild exactly as the authorizer's is: minified ESM with a linked map.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { AUTHORIZER_BUNDLE_TARGET } from '../../infra/constructs/authorizer-bundle';
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
    target: AUTHORIZER_BUNDLE_TARGET,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A FIFO in the scratch directory, made once for the frame tests. */
let fifo: string;
beforeAll(() => {
  fifo = join(dir, 'fifo.mjs');
  execFileSync('mkfifo', [fifo]);
});

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

  test('lines of the message that look like frames are not frames: nothing they name is read', async () => {
    const error = new TypeError(`bad input\n    at /dev/zero:1:1\n    at ${bundle}:1:1`);
    const stack = (await sourceMappedStack(error)) ?? '';
    expect(stack.split('\n')[0]).toMatch(/^at .*test\/authorizer\/stack-trace\.test\.ts:\d+:\d+\)?$/);
    expect(stack).not.toContain('/dev/zero');
    expect(stack).not.toContain(bundle);
  });

  test('a frame naming a FIFO named like a bundle is kept as printed: opening it does not wait for a writer', () => {
    // In a process of its own, with a deadline: a blocking open would hang whoever calls the mapper.
    const program = [
      `const { sourceMappedStack } = await import(${JSON.stringify(pathToFileURL(bundle).href)});`,
      `const error = new Error('x'); error.stack = 'Error: x\\n    at f (' + ${JSON.stringify(fifo)} + ':1:1)';`,
      'process.stdout.write(JSON.stringify(await sourceMappedStack(error)));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
      timeout: 10_000,
    });
    expect({ signal: child.signal, stderr: child.stderr }).toEqual({ signal: null, stderr: '' });
    expect(JSON.parse(child.stdout)).toBe(`at f (${fifo}:1:1)`);
  });

  test.each([
    ['a device', () => '/dev/zero'],
    ['a directory named like a bundle', () => dir + '/'],
    ['a file that does not exist', () => join(dir, 'missing.mjs')],
  ])('a frame naming %s is kept as printed', async (_name, location) => {
    const error = new Error('x');
    error.stack = `Error: x\n    at f (${location()}:1:1)`;
    await expect(sourceMappedStack(error)).resolves.toBe(`at f (${location()}:1:1)`);
  });

  test('a map over the size cap is not read', async () => {
    const big = join(dir, 'big.mjs');
    writeFileSync(big, 'export const x = 1;\n//# sourceMappingURL=big.mjs.map\n');
    writeFileSync(
      `${big}.map`,
      JSON.stringify({ version: 3, sources: ['a.ts'], names: [], mappings: 'AAAA' }) +
        ' '.repeat(4 * 1024 * 1024),
    );
    const error = new Error('x');
    error.stack = `Error: x\n    at f (${big}:1:1)`;
    await expect(sourceMappedStack(error)).resolves.toBe(`at f (${big}:1:1)`);
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
