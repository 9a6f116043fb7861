// The run's temp-directory guard (global setup/teardown): while it is on, TMPDIR names a private directory;
// stopping it removes that directory and fails, naming each entry, when a test left something there.
// (Jest gives each test file its own copy of process.env, so these tests read TMPDIR rather than os.tmpdir().)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPrivateTempDir } from './temp-dir';

function privateDir(): string {
  const dir = process.env.TMPDIR;
  if (dir === undefined) throw new Error('TMPDIR is not set');
  return dir;
}

test('a run that leaves nothing but tool caches passes, and TMPDIR is restored', () => {
  const before = process.env.TMPDIR;
  const stop = startPrivateTempDir();
  const dir = privateDir();
  expect(dir).not.toBe(before);
  expect([process.env.TMP, process.env.TEMP]).toEqual([dir, dir]);
  mkdirSync(join(dir, 'tsx-0'));
  writeFileSync(join(dir, 'tsx-0', 'cache.json'), '{}');
  mkdirSync(join(dir, 'node-compile-cache', `${process.version}-x64-0`), { recursive: true });

  expect(stop()).toBeUndefined();
  expect(existsSync(dir)).toBe(false);
  expect(process.env.TMPDIR).toBe(before);
});

test.each([
  [['cdk.outAbC123/'], 'Tests left 1 entries in the temp directory: cdk.outAbC123/.'],
  [
    ['report.txt', 'bearer-gate-e2e-x/'],
    'Tests left 2 entries in the temp directory: bearer-gate-e2e-x/, report.txt.',
  ],
  [['node-compile-cache'], 'Tests left 1 entries in the temp directory: node-compile-cache.'],
])('leftovers %j fail the run by name, and are removed all the same', (entries, message) => {
  const before = process.env.TMPDIR;
  const stop = startPrivateTempDir();
  const dir = privateDir();
  for (const entry of entries) {
    if (entry.endsWith('/')) mkdirSync(join(dir, entry));
    else writeFileSync(join(dir, entry), 'left behind');
  }

  expect(stop).toThrow(
    `${message} Remove what a test creates in afterAll (for CDK apps, give the App an outdir and remove it).`,
  );
  expect(existsSync(dir)).toBe(false);
  expect(process.env.TMPDIR).toBe(before);
});
