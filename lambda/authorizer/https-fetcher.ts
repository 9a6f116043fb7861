// HTTPS GETs for the issuer's JWKS and OIDC discovery document: https only, one deadline for the whole
// exchange, and a cap on the body, so that whoever answers for the issuer cannot make the authorizer wait
// or buffer without bound.
import type * as Https from 'node:https';
import type * as Tls from 'node:tls';
import type { Fetcher } from 'aws-jwt-verify/https';

/** Real JWKS and discovery documents are a few KB; Entra ID's, with certificate chains, about 10 KB. */
export const MAX_RESPONSE_BYTES = 128 * 1024;

export interface BoundedFetcherOptions {
  /** From the request's start to the body's last byte. */
  readonly timeoutMs: number;
  /** @default MAX_RESPONSE_BYTES */
  readonly maxBytes?: number;
  /** PEM of a CA to trust instead of Node's roots: a local issuer's throwaway certificate, and nothing else. */
  readonly ca?: string;
  /**
   * PEM certificates to trust besides Node's bundled roots (TRUSTED_CA_FILE: a private CA), as
   * NODE_EXTRA_CA_CERTS would, but read on the first fetch rather than at every process start.
   */
  readonly trustedCertificates?: readonly string[];
}

/** A deadline timer this late fired after the process was suspended, not after a slow issuer. */
const SUSPENDED_MS = 1000;

/**
 * node:https, loaded on the first fetch rather than at import: its TLS, HTTP and socket internals are some 25
 * of Node's own modules beyond node:crypto's, and a cold start with a JWKS seed decides its first request
 * before it fetches anything. A dynamic import of a builtin stays a runtime import in the ESM bundle.
 */
let https: Promise<typeof Https> | undefined;

/** The native half of a SecureContext; Node does not document it, but its own `ca` option is built on it. */
interface NativeSecureContext {
  addCACert?: (pem: string) => void;
}

/**
 * A TLS context that trusts Node's bundled roots and `certificates`, for one agent's every connection (a `ca`
 * in each request's options would make a context per connection). Node's default context holds the root
 * store Node builds from its compiled-in roots; adding a certificate to it gives it its own copy (about 2 ms
 * here). Where that is not available, the roots are parsed again from PEM with the `ca` option: the same
 * trust, about 16 ms more on this machine.
 */
export function trustedSecureContext(
  tls: Pick<typeof Tls, 'createSecureContext' | 'rootCertificates'>,
  certificates: readonly string[],
): Tls.SecureContext {
  const context = tls.createSecureContext();
  const native = (context as { context?: NativeSecureContext }).context;
  if (typeof native?.addCACert !== 'function') {
    return tls.createSecureContext({ ca: [...tls.rootCertificates, ...certificates] });
  }
  for (const pem of certificates) native.addCACert(pem);
  return context;
}

/**
 * An agent that trusts Node's bundled roots and `certificates`: its own agent, so that no other caller's pooled
 * connection (verified against less) is reused for ours, nor ours for theirs. node:tls is loaded with
 * node:https, never at init.
 */
async function trusting(Agent: typeof Https.Agent, certificates: readonly string[]): Promise<Https.Agent> {
  return new Agent({ secureContext: trustedSecureContext(await import('node:tls'), certificates) });
}

/** Failed before any response arrived (reset, refused, DNS): worth one immediate retry, as SimpleFetcher does. */
class ConnectionError extends Error {}

export class BoundedFetcher implements Fetcher {
  /** With trustedCertificates: the agent whose one TLS context every connection uses, made on the first fetch. */
  private agent: Promise<Https.Agent> | undefined;

  constructor(private readonly options: BoundedFetcherOptions) {
    if (options.ca !== undefined && options.trustedCertificates !== undefined) {
      throw new Error(
        'BoundedFetcher: pass ca (trust only it) or trustedCertificates (trust it too), not both',
      );
    }
  }

  async fetch(uri: string): Promise<ArrayBuffer> {
    const { request, Agent } = await (https ??= import('node:https'));
    const extra = this.options.trustedCertificates;
    const agent =
      extra === undefined || extra.length === 0 ? undefined : await (this.agent ??= trusting(Agent, extra));
    try {
      return await this.get(request, uri, agent);
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      return this.get(request, uri, agent);
    }
  }

  private get(
    request: typeof Https.request,
    uri: string,
    agent: Https.Agent | undefined,
  ): Promise<ArrayBuffer> {
    const { timeoutMs, maxBytes = MAX_RESPONSE_BYTES, ca } = this.options;
    return new Promise((resolve, reject) => {
      if (!uri.startsWith('https://')) {
        reject(new Error(`refusing ${uri}: https only`));
        return;
      }
      let settled = false;
      const finish = (error: Error | null, body?: Buffer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (error === null) {
          resolve(new Uint8Array(body as Buffer).buffer);
        } else {
          req.destroy();
          reject(error);
        }
      };
      const options = {
        method: 'GET',
        ...(ca === undefined ? {} : { ca }),
        ...(agent === undefined ? {} : { agent }),
      };
      const req = request(uri, options, (res) => {
        if (res.statusCode !== 200) {
          finish(new Error(`status ${res.statusCode}, expected 200`));
          return;
        }
        if (Number(res.headers['content-length']) > maxBytes) {
          finish(
            new Error(`response of ${res.headers['content-length']} bytes, over the ${maxBytes}-byte limit`),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) finish(new Error(`response over the ${maxBytes}-byte limit`));
          else chunks.push(chunk);
        });
        res.on('end', () => finish(null, Buffer.concat(chunks)));
        res.on('error', (error) => finish(error));
      });
      // Counts time awake: Lambda freezes an instance between invocations, and a request in flight then (a
      // background refresh) resumes with the next invocation. Its overdue timer fires first on thaw; failing
      // it there would blame the issuer for our own sleep, so the request gets its time again instead.
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const arm = (): void => {
        const due = performance.now() + timeoutMs;
        deadline = setTimeout(() => {
          if (performance.now() - due > SUSPENDED_MS) arm();
          else finish(new Error(`no complete response within ${timeoutMs} ms`));
        }, timeoutMs);
        // Never what keeps a process alive.
        deadline.unref();
      };
      arm();
      req.on('error', (error) => finish(new ConnectionError(error.message, { cause: error })));
      req.end();
    });
  }
}
