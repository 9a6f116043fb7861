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

/** Node's HTTPS client and TLS, loaded by the first fetch, never at init. */
interface NodeTls {
  readonly https: typeof Https;
  readonly tls: typeof Tls;
}

let loaded: NodeTls | undefined;

/**
 * node:https and node:tls, loaded on the first fetch rather than at import: their TLS, HTTP and socket internals
 * are some 25 of Node's own modules beyond node:crypto's, and a cold start with a JWKS seed decides its first
 * request before it fetches anything. Loaded synchronously (process.getBuiltinModule, Node 22.3+; a dynamic
 * import on older Nodes), so that a fetch's whole set-up runs in the turn of the event loop that starts it (see
 * BoundedFetcher.fetch).
 */
function nodeTls(): NodeTls | Promise<NodeTls> {
  if (loaded !== undefined) return loaded;
  const builtin = (process as { getBuiltinModule?: NodeJS.Process['getBuiltinModule'] }).getBuiltinModule;
  if (typeof builtin === 'function') {
    loaded = { https: builtin('node:https'), tls: builtin('node:tls') };
    return loaded;
  }
  return Promise.all([import('node:https'), import('node:tls')]).then(
    ([https, tls]) => (loaded = { https, tls }),
  );
}

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
 * The fetcher's own agent, with the one TLS context every connection uses: `ca` alone, or Node's bundled roots
 * and `trustedCertificates`. Its own, so that no other caller's pooled connection (verified against less) is
 * reused for ours, nor ours for theirs. No keep-alive: fetches are minutes apart, and a socket kept across a
 * frozen Lambda sandbox would be stale when it thaws.
 */
function fetcherAgent({ https, tls }: NodeTls, options: BoundedFetcherOptions): Https.Agent {
  const secureContext =
    options.ca === undefined
      ? trustedSecureContext(tls, options.trustedCertificates ?? [])
      : tls.createSecureContext({ ca: options.ca });
  return new https.Agent({ secureContext, keepAlive: false });
}

/** Failed before any response arrived (reset, refused, DNS): worth one immediate retry, as SimpleFetcher does. */
class ConnectionError extends Error {}

export class BoundedFetcher implements Fetcher {
  /** Made by the first fetch: loading Node's TLS, its root store and the context are the costly part of it. */
  private agent: Https.Agent | undefined;

  constructor(private readonly options: BoundedFetcherOptions) {
    if (options.ca !== undefined && options.trustedCertificates !== undefined) {
      throw new Error(
        'BoundedFetcher: pass ca (trust only it) or trustedCertificates (trust it too), not both',
      );
    }
  }

  /**
   * Everything up to the request being on its way (loading node:https, the root store, the TLS context, the
   * socket) runs synchronously, in the caller's turn of the event loop; only network I/O and what answers it
   * come later. A background refresh started right after a request is decided so does its costly set-up
   * before the Lambda runtime asks for the next invocation, and not after the sandbox thaws, when the next
   * request would wait for it (see WarmJwksCache's refresh).
   */
  fetch(uri: string): Promise<ArrayBuffer> {
    if (!uri.startsWith('https://')) return Promise.reject(new Error(`refusing ${uri}: https only`));
    const node = nodeTls();
    if (node instanceof Promise) return node.then(() => this.fetch(uri));
    let agent: Https.Agent;
    try {
      agent = this.agent ??= fetcherAgent(node, this.options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.get(node.https.request, uri, agent).catch((error: unknown) => {
      if (!(error instanceof ConnectionError)) throw error;
      return this.get(node.https.request, uri, agent);
    });
  }

  private get(request: typeof Https.request, uri: string, agent: Https.Agent): Promise<ArrayBuffer> {
    const { timeoutMs, maxBytes = MAX_RESPONSE_BYTES } = this.options;
    return new Promise((resolve, reject) => {
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
      const req = request(uri, { method: 'GET', agent }, (res) => {
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
