// `npm run build` (and so `npm pack`): the library's CommonJS JavaScript and .d.ts files, and the prebuilt
// authorizer bundles, into dist/. The package ships dist/ and nothing of the sources it was built from.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AUTHORIZER_BUNDLES,
  buildAuthorizerBundle,
  packageRoot,
  type AuthorizerVariant,
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

for (const variant of Object.keys(AUTHORIZER_BUNDLES) as AuthorizerVariant[]) {
  const outdir = join(dist, 'bundles', AUTHORIZER_BUNDLES[variant].dir);
  buildAuthorizerBundle(variant, outdir, root);
  const sizes = readdirSync(outdir).map((file) => `${file} ${statSync(join(outdir, file)).size} B`);
  console.log(`build: ${variant} authorizer -> ${outdir}: ${sizes.join(', ')}`);
}
