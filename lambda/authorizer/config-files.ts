// The configuration files a deployed handler reads at init (ROUTES_FILE, JWKS_SEED_FILE, TRUSTED_CA_FILE):
// paths are absolute or relative to the handler's directory, which on Lambda is LAMBDA_TASK_ROOT (the
// unzipped code asset).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigFiles } from './config';

/** Reads configuration files by a path that is absolute or relative to `baseDir` (on Lambda, the code asset). */
export function filesBesideHandler(
  baseDir: string = process.env.LAMBDA_TASK_ROOT ?? process.cwd(),
): ConfigFiles {
  return { read: (path) => readFileSync(isAbsolute(path) ? path : resolve(baseDir, path), 'utf8') };
}
