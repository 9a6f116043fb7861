#!/usr/bin/env node
// The package's `bearer-gate-jwks-seed` (`npm run jwks-seed` here): fetches an issuer's JWKS (after OIDC
// discovery, for --issuer) into the JWKS seed file the construct ships with the authorizer, or checks an
// issuer's discovery (--check). Run it before synth; synth itself stays offline.
import { JWKS_SEED_USAGE, SeedToolUsageError, parseJwksSeedArgs } from './seed-tool-args';
import { IssuerMismatchError, checkIssuer, writeJwksSeed } from './seed-tool';

/**
 * Exit codes, so that CI can tell an issuer that is down from a mistyped flag, and (--check) from an issuer
 * whose discovery names another one.
 */
const EXIT = { failed: 1, usage: 2, mismatch: 3 } as const;

async function main(): Promise<void> {
  const args = parseJwksSeedArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(JWKS_SEED_USAGE + '\n');
    return;
  }
  if (args.command === 'check') {
    const checked = await checkIssuer(args);
    process.stdout.write(
      `${checked.issuer}: discovery names this issuer exactly; its JWKS ${checked.jwksUri} holds ` +
        `${checked.keys} usable signing keys\n`,
    );
    return;
  }
  const { entry, entries } = await writeJwksSeed(args);
  const via = entry.issuer === null ? '' : ` (named by ${entry.issuer}'s discovery)`;
  process.stdout.write(
    `${args.out}: ${entry.jwksUri}${via}, ${entry.jwks.keys.length} keys fetched at ` +
      `${new Date(entry.fetchedAt ?? Date.now()).toISOString()}; ${entries.length} JWKS in the seed\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`jwks-seed failed: ${(error as Error).message}\n`);
  if (error instanceof SeedToolUsageError) process.stderr.write(`\n${JWKS_SEED_USAGE}\n`);
  process.exit(
    error instanceof SeedToolUsageError
      ? EXIT.usage
      : error instanceof IssuerMismatchError
        ? EXIT.mismatch
        : EXIT.failed,
  );
});
