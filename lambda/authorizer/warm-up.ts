// The init warm-up (JWKS_WARM_UP): every JWKS fetched, and each table the authorizer reads read once, before
// the first request, so that an instance initialized ahead of traffic (provisioned concurrency) has paid its
// first TLS set-ups (Node's TLS stack, root store and context; the AWS SDK's client and connection) when the
// first request arrives. Bounded, and it never throws: what fails is logged, and the seed or the first request
// serves as without a warm-up.
import { keyPeriodOf, nonceWindow, type NonceKeyStore } from './dpop-nonce';
import type { Logger } from './log';

/** What a warm-up does: each part is optional but the JWKS; each settles on its own. */
export interface WarmUpParts {
  /** TokenVerifier.warmUp: every JWKS, after discovery where needed; never rejects, counts its failures. */
  readonly jwks: () => Promise<{ readonly fetches: number; readonly failed: number }>;
  /** One read of the revocation table (RevocationCheck.warmUp). */
  readonly revocation?: () => Promise<void>;
  /** DPOP_NONCES' key store: the current key's read (the one createNonceKeyStore starts at init) is waited for. */
  readonly dpopNonceKeys?: NonceKeyStore;
}

/**
 * How long an init waits for its warm-up: a discovery and then a JWKS fetch, each within JWKS_TIMEOUT_MS, and
 * well inside the 10 s Lambda gives an on-demand init (JWKS_WARM_UP `init`).
 */
export function warmUpLimitMs(jwksTimeoutMs: number): number {
  return Math.min(2 * jwksTimeoutMs, 8000);
}

export interface WarmUpOptions {
  readonly log: Logger;
  /**
   * How long the init waits at most. Whatever is still running then goes on in the background (a request
   * joins a JWKS fetch that is still running), and the line says what.
   */
  readonly limitMs: number;
}

/** A failed read's code: the code a request that fails the same way is refused with. */
const FAILURE_CODES = {
  jwks: 'INTERNAL',
  revocation: 'REVOCATION_UNAVAILABLE',
  dpopNonceKey: 'DPOP_NONCE_KEY_UNAVAILABLE',
} as const;

type Part = keyof typeof FAILURE_CODES;

/** The error's message, and its cause's (the SDK's or the network's words), which the log line needs. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/**
 * Runs the parts side by side and settles when all have, or after `limitMs`, with one `warm-up` line: info
 * `WARM_UP_DONE` when everything was read, warn `WARM_UP_INCOMPLETE` when a part failed or was still running.
 * A failed JWKS fetch or discovery has its own line already (`jwks fetch failed`, `JWKS_SEED_SERVING`, `oidc
 * discovery failed`); a failed table read gets one here, with the code its request-time failure has.
 */
export async function warmUp(parts: WarmUpParts, { log, limitMs }: WarmUpOptions): Promise<void> {
  const started = process.hrtime.bigint();
  const fields: Record<string, string | number> = {};
  const running = new Set<Part>();
  const run = (part: Part, work: () => Promise<void>): Promise<void> => {
    running.add(part);
    return work()
      .catch((error: unknown) => {
        fields[part] = 'failed';
        log.warn('warm-up', { code: FAILURE_CODES[part], part, detail: messageOf(error) });
      })
      .finally(() => running.delete(part));
  };
  const steps = [
    run('jwks', async () => {
      const { fetches, failed } = await parts.jwks();
      fields.jwksFetches = fetches;
      fields.jwksFailed = failed;
    }),
  ];
  const { revocation, dpopNonceKeys } = parts;
  if (revocation !== undefined) {
    steps.push(
      run('revocation', async () => {
        await revocation();
        fields.revocation = 'read';
      }),
    );
  }
  if (dpopNonceKeys !== undefined) {
    const now = Math.floor(Date.now() / 1000);
    steps.push(
      run('dpopNonceKey', async () => {
        await dpopNonceKeys.key(keyPeriodOf(nonceWindow(now)), now);
        fields.dpopNonceKey = 'read';
      }),
    );
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
  await Promise.race([Promise.all(steps), limit]);
  clearTimeout(timer);

  const ms = Math.round(Number(process.hrtime.bigint() - started) / 1000) / 1000;
  const incomplete =
    running.size > 0 || Object.values(fields).includes('failed') || (fields.jwksFailed ?? 0) !== 0;
  const summary = {
    code: incomplete ? 'WARM_UP_INCOMPLETE' : 'WARM_UP_DONE',
    ms,
    ...fields,
    ...(running.size === 0 ? {} : { stillRunning: [...running].join(',') }),
  };
  if (incomplete) log.warn('warm-up', summary);
  else log.info('warm-up', summary);
}
