// What the JWKS seed tool (`bearer-gate-jwks-seed`, `npm run jwks-seed`) does: reads the issuer's keys (after OIDC discovery, for --issuer) with the
// authorizer's own fetcher and checks, and merges them into the seed file in the seed's own contract.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Fetcher } from 'aws-jwt-verify/https';
import {
  BoundedFetcher,
  JwksSeedError,
  formatJwksSeed,
  jwksUriFromConfiguration,
  openIdConfigurationUri,
  parseJwksSeed,
  seedJwksUri,
  type JwksSeedEntry,
} from '../../lambda/authorizer';
import { SeedToolUsageError, type SeedSource } from './seed-tool-args';

/** The issuer could not be read, or did not answer with what a seed needs. */
export class SeedFetchError extends Error {
  override readonly name = 'SeedFetchError';
}

async function getText(fetcher: Fetcher, uri: string): Promise<string> {
  try {
    return Buffer.from(await fetcher.fetch(uri)).toString('utf8');
  } catch (cause) {
    throw new SeedFetchError(`GET ${uri} failed: ${(cause as Error).message}`, { cause });
  }
}

/** One seed entry, fetched now: the JWKS at the URI, or at the one the issuer's discovery names. */
export async function fetchSeedEntry(
  source: SeedSource,
  fetcher: Fetcher,
  now = Date.now(),
): Promise<JwksSeedEntry> {
  let jwksUri: string;
  if (source.kind === 'issuer') {
    const configuration = await getText(fetcher, openIdConfigurationUri(source.issuer));
    try {
      jwksUri = jwksUriFromConfiguration(configuration, source.issuer);
    } catch (cause) {
      throw new SeedFetchError(`${openIdConfigurationUri(source.issuer)}: ${(cause as Error).message}`, {
        cause,
      });
    }
  } else {
    jwksUri = seedJwksUri(source.jwksUri);
  }
  const text = await getText(fetcher, jwksUri);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new SeedFetchError(`${jwksUri} did not answer with JSON`, { cause });
  }
  // The authorizer's own checks, on the entry as the seed will hold it (the keys only, with our metadata):
  // among them, a JWKS that publishes a private or symmetric key is refused here, never written to the seed.
  const keys = (document as { keys?: unknown } | null)?.keys;
  const fetchedAt = new Date(now).toISOString();
  const issuer = source.kind === 'issuer' ? { issuer: source.issuer } : {};
  try {
    const [entry] = parseJwksSeed(JSON.stringify({ [jwksUri]: { keys, fetchedAt, ...issuer } }));
    return entry as JwksSeedEntry;
  } catch (cause) {
    if (!(cause instanceof JwksSeedError)) throw cause;
    throw new SeedFetchError(`${jwksUri} is not usable: the seed ${cause.message}`, { cause });
  }
}

/**
 * The seed with this entry in it: it replaces the entry for the same URI, and any other entry recorded for
 * the same issuer (its JWKS moved). Other entries keep their place.
 */
export function mergeSeed(existing: readonly JwksSeedEntry[], entry: JwksSeedEntry): JwksSeedEntry[] {
  const stale = (e: JwksSeedEntry): boolean =>
    e.jwksUri === entry.jwksUri || (entry.issuer !== null && e.issuer === entry.issuer);
  const at = existing.findIndex(stale);
  const kept = existing.filter((e) => !stale(e));
  if (at === -1) return [...kept, entry];
  return [...kept.slice(0, at), entry, ...kept.slice(at)];
}

export interface SeedWrite {
  readonly entry: JwksSeedEntry;
  readonly entries: readonly JwksSeedEntry[];
}

/** Fetches the entry and writes the merged seed to `out`, indented for review in a diff. */
export async function writeJwksSeed(
  options: { source: SeedSource; out: string; caFile: string | undefined; timeoutMs: number },
  now = Date.now(),
): Promise<SeedWrite> {
  let existing: JwksSeedEntry[] = [];
  if (existsSync(options.out)) {
    try {
      existing = parseJwksSeed(readFileSync(options.out, 'utf8'));
    } catch (cause) {
      throw new SeedToolUsageError(
        '--out',
        `names "${options.out}", which is not a JWKS seed: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }
  let ca: string | undefined;
  if (options.caFile !== undefined) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (cause) {
      throw new SeedToolUsageError('--ca-file', `names "${options.caFile}", which cannot be read`, { cause });
    }
  }
  const fetcher = new BoundedFetcher({ timeoutMs: options.timeoutMs, ...(ca === undefined ? {} : { ca }) });
  const entry = await fetchSeedEntry(options.source, fetcher, now);
  const entries = mergeSeed(existing, entry);
  const text = formatJwksSeed(entries, 2) + '\n';
  try {
    // The authorizer would refuse a seed over its cap: refuse to write one.
    parseJwksSeed(text);
  } catch (cause) {
    throw new SeedFetchError(`${options.out} not written: the merged seed ${(cause as Error).message}`, {
      cause,
    });
  }
  writeFileSync(options.out, text);
  return { entry, entries };
}
