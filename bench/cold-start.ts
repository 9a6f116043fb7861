// Cold start: fresh node processes that load the deployed bundle and authorize their first token (JWKS fetch
// included), against bare `node -e 0` and against the floor (a bare HTTPS fetch and one verify) started the
// same way, interleaved process by process.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { METHOD_ARN, type Fixtures } from './fixtures';
import { median, medianRatio } from './stats';

export type ColdSeriesId = 'bare' | 'floor' | 'deployed' | 'no-source-maps';

export interface ColdStartReport {
  /** Wall-clock milliseconds from spawn to exit, per process, in spawn order. */
  readonly ms: Readonly<Record<ColdSeriesId, readonly number[]>>;
  readonly medianMs: Readonly<Record<ColdSeriesId, number>>;
  /** Median of per-iteration ratios to bare node (each pair ran back to back). */
  readonly ratio: Readonly<Record<Exclude<ColdSeriesId, 'bare'>, number>>;
  /** Median of per-iteration ratios of the deployed bundle to the floor: our own share of the cold start. */
  readonly deployedVsFloor: number;
  /** JWKS requests the server saw during each cold start of the bundle. */
  readonly jwksFetches: readonly number[];
}

export class ColdStartError extends Error {
  override readonly name = 'ColdStartError';
  readonly code = 'COLD_START_FAILED';
}

const CHILD = join(__dirname, 'cold-start-child.mjs');
const FLOOR = join(__dirname, 'cold-start-floor.mjs');

function timeProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new ColdStartError(`child exited with ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

export async function measureColdStarts(
  fixtures: Fixtures,
  bundleFile: string,
  processes: number,
): Promise<ColdStartReport> {
  // The function's environment as the construct sets it (LOG_LEVEL unset: the production default), the
  // certificate trusted the only way a fresh process can, and nothing inherited from this process.
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_EXTRA_CA_CERTS: fixtures.certificateFile,
    ...fixtures.env(),
  };
  const deployedEnv = { ...base, NODE_OPTIONS: '--enable-source-maps' };
  const tokens = fixtures.tokens('RS256', processes);
  const ms: Record<ColdSeriesId, number[]> = { bare: [], floor: [], deployed: [], 'no-source-maps': [] };
  const jwksFetches: number[] = [];

  const run: Record<ColdSeriesId, (i: number) => Promise<void>> = {
    // Bare node gets the same environment, so the difference is the bundle and its first authorization.
    bare: async () => {
      ms.bare.push(await timeProcess(['-e', '0'], deployedEnv));
    },
    floor: async (i) => {
      ms.floor.push(await timeProcess([CHILD, FLOOR, tokens[i] as string, METHOD_ARN], deployedEnv));
    },
    deployed: async (i) => {
      const before = fixtures.jwks.requests.length;
      ms.deployed.push(await timeProcess([CHILD, bundleFile, tokens[i] as string, METHOD_ARN], deployedEnv));
      jwksFetches.push(fixtures.jwks.requests.length - before);
    },
    'no-source-maps': async (i) => {
      ms['no-source-maps'].push(
        await timeProcess([CHILD, bundleFile, tokens[i] as string, METHOD_ARN], base),
      );
    },
  };
  const series: ColdSeriesId[] = ['bare', 'floor', 'deployed', 'no-source-maps'];
  // One untimed start of each, so the first timed process does not pay for cold disk caches.
  for (const id of series) await run[id](0);
  for (const id of series) ms[id].length = 0;
  jwksFetches.length = 0;
  for (let i = 0; i < processes; i++) {
    const shift = i % series.length;
    for (const id of [...series.slice(shift), ...series.slice(0, shift)]) await run[id](i);
  }

  return {
    ms,
    medianMs: {
      bare: median(ms.bare),
      floor: median(ms.floor),
      deployed: median(ms.deployed),
      'no-source-maps': median(ms['no-source-maps']),
    },
    ratio: {
      floor: medianRatio(ms.floor, ms.bare),
      deployed: medianRatio(ms.deployed, ms.bare),
      'no-source-maps': medianRatio(ms['no-source-maps'], ms.bare),
    },
    deployedVsFloor: medianRatio(ms.deployed, ms.floor),
    jwksFetches,
  };
}
