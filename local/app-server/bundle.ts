// Bundles the browser app (web/src/main.ts, with oauth4webapi) into one ES module in memory with esbuild,
// when `npm start` starts: there is no build step and nothing is written to disk.
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { LocalStackError } from '../errors';

export const WEB_ROOT = resolve(__dirname, '..', '..', 'web');

export async function bundleApp(): Promise<string> {
  try {
    const result = await build({
      entryPoints: [resolve(WEB_ROOT, 'src', 'main.ts')],
      tsconfig: resolve(WEB_ROOT, 'tsconfig.json'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: 'inline',
      write: false,
      logLevel: 'silent',
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no output');
    return output.text;
  } catch (cause) {
    throw new LocalStackError('START_FAILED', `could not bundle web/src/main.ts: ${String(cause)}`, {
      cause,
    });
  }
}
