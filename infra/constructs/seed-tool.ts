// What the JWKS seed tool (`bearer-gate-jwks-seed`, `npm run jwks-seed`) does: reads the issuer's keys (after
// OIDC discovery, for --issuer) with the authorizer's own fetcher and checks, and merges them into the seed file
// in the seed's own contract; or, for --check, runs the issuer's discovery as the authorizer will and compares.
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
import { quote } from '../../lambda/authorizer/truncate';
import { SeedToolUsageError, type SeedSource } from './seed-tool-args';

/** The issuer could not be read, or did not answer with what a seed needs. */
export class SeedFetchError extends Error {
  override readonly name = 'SeedFetchError';
}

/** --check: the issuer's discovery document names another issuer than the one given. */
export class IssuerMismatchError extends Error {
  override readonly name = 'IssuerMismatchError';
  readonly code = 'ISSUER_MISMATCH' as const;
  constructor(
    /** The issuer as given (as the construct would be configured). */
    readonly issuer: string,
    /** What discovery's `issuer` holds, exactly as it was in the document. */
    readonly discovered: unknown,
  ) {
    super(mismatchMessage(issuer, discovered));
  }
}

function mismatchMessage(issuer: string, discovered: unknown): string {
  const uri = openIdConfigurationUri(issuer);
  if (typeof discovered !== 'string') {
    return (
      `${uri} names no issuer (got ${quote(discovered, 256)}): the authorizer refuses such a document, so ` +
      `every request for "${issuer}" would be answered 503. Check the issuer URL.`
    );
  }
  const named = quote(discovered, 256);
  const said =
    `${uri} names the issuer ${named}, not "${issuer}": the authorizer refuses a discovery document for ` +
    `another issuer, so every request for "${issuer}" would be answered 503 (and tokens carry iss ${named}).`;
  return discovered.replace(/\/+$/, '') === issuer.replace(/\/+$/, '')
    ? `${said} They differ only in the trailing slash: configure the issuer as ${named}, exactly.`
    : `${said} Configure the issuer as ${named} if you trust it, or check the URL.`;
}

async function getText(fetcher: Fetcher, uri: string): Promise<string> {
  try {
    return Buffer.from(await fetcher.fetch(uri)).toString('utf8');
  } catch (cause) {
    throw new SeedFetchError(`GET ${uri} failed: ${(cause as Error).message}`, { cause });
  }
}

/** The JWKS URI a discovery document names, once it names exactly this issuer (as the authorizer asks). */
function discoveredJwksUri(configuration: string, issuer: string): string {
  try {
    return jwksUriFromConfiguration(configuration, issuer);
  } catch (cause) {
    throw new SeedFetchError(`${openIdConfigurationUri(issuer)}: ${(cause as Error).message}`, { cause });
  }
}

/** One seed entry, fetched now: the JWKS at the URI, or at the one the issuer's discovery names. */
export async function fetchSeedEntry(
  source: SeedSource,
  fetcher: Fetcher,
  now = Date.now(),
): Promise<JwksSeedEntry> {
  if (source.kind === 'jwks-uri') return readSeedEntry(seedJwksUri(source.jwksUri), null, fetcher, now);
  const configuration = await getText(fetcher, openIdConfigurationUri(source.issuer));
  return readSeedEntry(discoveredJwksUri(configuration, source.issuer), source.issuer, fetcher, now);
}

/** The JWKS at `jwksUri` as a seed entry (recording `issuer`, when found through its discovery). */
async function readSeedEntry(
  jwksUri: string,
  issuer: string | null,
  fetcher: Fetcher,
  now: number,
): Promise<JwksSeedEntry> {
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
  const recorded = issuer === null ? {} : { issuer };
  try {
    const [entry] = parseJwksSeed(JSON.stringify({ [jwksUri]: { keys, fetchedAt, ...recorded } }));
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

/** What --check found: discovery names the issuer exactly, and its JWKS holds these usable keys. */
export interface IssuerCheck {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly keys: number;
}

/**
 * --check: the issuer's discovery, as the authorizer runs it at cold start, before deploy. Throws
 * IssuerMismatchError when the document names another issuer (the one difference a synth cannot see, such as
 * Auth0's trailing slash), SeedFetchError when the issuer cannot be read or its JWKS holds no usable key.
 */
export async function checkIssuer(options: {
  issuer: string;
  caFile: string | undefined;
  timeoutMs: number;
}): Promise<IssuerCheck> {
  const fetcher = new BoundedFetcher({ timeoutMs: options.timeoutMs, ...readCa(options.caFile) });
  const uri = openIdConfigurationUri(options.issuer);
  const text = await getText(fetcher, uri);
  let named: unknown;
  try {
    named = (JSON.parse(text) as { issuer?: unknown } | null)?.issuer;
  } catch (cause) {
    throw new SeedFetchError(`${uri} did not answer with JSON`, { cause });
  }
  if (named !== options.issuer) throw new IssuerMismatchError(options.issuer, named);
  const jwksUri = discoveredJwksUri(text, options.issuer);
  const entry = await readSeedEntry(jwksUri, options.issuer, fetcher, Date.now());
  return { issuer: options.issuer, jwksUri, keys: entry.jwks.keys.length };
}

/** The --ca-file option for the fetcher: the CA to trust instead of the system roots. */
function readCa(caFile: string | undefined): { ca?: string } {
  if (caFile === undefined) return {};
  try {
    return { ca: readFileSync(caFile, 'utf8') };
  } catch (cause) {
    throw new SeedToolUsageError('--ca-file', `names "${caFile}", which cannot be read`, { cause });
  }
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
  const fetcher = new BoundedFetcher({ timeoutMs: options.timeoutMs, ...readCa(options.caFile) });
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
