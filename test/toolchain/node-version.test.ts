// The Node.js the tests run on: the exact `node` devDependency, of the major the Lambda runs, whatever Node
// started npm, for jest and for every kind of process the tests and scripts spawn.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AUTHORIZER_BUNDLE_TARGET } from '../../infra/constructs/authorizer-bundle';
import { FUNCTION_RUNTIME } from '../../infra/constructs/logged-function';

const ROOT = resolve(__dirname, '..', '..');
const PRINT_VERSION = 'console.log(process.version)';

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const pinned = manifest.devDependencies['node'] ?? '(no node devDependency)';

describe('the node devDependency', () => {
  test('is an exact version of the major Lambda runs the authorizer on', () => {
    const major = /^(\d+)\.\d+\.\d+$/.exec(pinned)?.[1];
    expect({ major, runtime: FUNCTION_RUNTIME.name, target: AUTHORIZER_BUNDLE_TARGET }).toEqual({
      major: '24',
      runtime: `nodejs${major}.x`,
      target: `node${major}`,
    });
  });
});

describe('the test run', () => {
  // Fails when jest is started outside npm (e.g. node_modules/.bin/jest from a shell on the system's Node):
  // `npm test`, `npm run jest` and `npx jest` put node_modules/.bin, and so the pinned node, first on PATH.
  test('jest runs on the pinned node', () => {
    expect(process.version).toBe(`v${pinned}`);
  });

  // Each row is a way a test or an npm script starts a process: by this process's binary (most tests, the
  // e2e stack, the bench), by name from PATH (scripts, shell commands), through npx (cdk.json's app, the cdk
  // synth test), and npm itself (the package test's npm pack and npm install).
  test.each([
    ['process.execPath', process.execPath, ['-e', PRINT_VERSION]],
    ['process.execPath --import tsx', process.execPath, ['--import', 'tsx', '-e', PRINT_VERSION]],
    ['node from PATH', 'node', ['-e', PRINT_VERSION]],
    ['npx tsx', 'npx', ['tsx', '-e', PRINT_VERSION]],
    ['npm exec -c', 'npm', ['exec', '-c', `node -e '${PRINT_VERSION}'`]],
  ])('a child started as %s runs on the pinned node', (_label, command, args) => {
    const child = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect({ status: child.status, stdout: child.stdout.trim() }).toEqual({
      status: 0,
      stdout: `v${pinned}`,
    });
  });

  test('npm, when a test runs it, runs on the pinned node', () => {
    const child = spawnSync('npm', ['version', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.status).toBe(0);
    expect((JSON.parse(child.stdout) as Record<string, string>)['node']).toBe(pinned);
  });
});
