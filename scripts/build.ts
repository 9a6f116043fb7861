// `npm run build` (and so `npm pack`): the library's CommonJS JavaScript and .d.ts files, and the prebuilt
// bundles (the two authorizers and the revocation admin function), into dist/. The package ships dist/ and
// nothing of the sources it was built from.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  PACKAGE_BUNDLES,
  buildAuthorizerBundle,
  packageRoot,
  type BundleName,
} from '../infra/constructs/authorizer-bundle';

const root = packageRoot(__dirname);
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });

const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  console.error(`build: tsc -p tsconfig.build.json failed (exit ${tsc.status ?? tsc.signal})`);
  process.exit(1);
}

for (const name of Object.keys(PACKAGE_BUNDLES) as BundleName[]) {
  const outdir = join(dist, 'bundles', PACKAGE_BUNDLES[name].dir);
  buildAuthorizerBundle(name, outdir, root);
  const sizes = readdirSync(outdir).map((file) => `${file} ${statSync(join(outdir, file)).size} B`);
  console.log(`build: ${name} bundle -> ${outdir}: ${sizes.join(', ')}`);
}
