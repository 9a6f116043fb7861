// HTTP(S) requests that trust one extra certificate (the local issuer's or gateway's throwaway one) without
// touching NODE_EXTRA_CA_CERTS, which Node reads only at start-up, and may present a client certificate
// (mutual TLS). Redirects are never followed here.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

/** A client certificate and its private key, PEM. */
export interface ClientCertificate {
  readonly cert: string;
  readonly key: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RawRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Extra PEM certificate to trust besides the system roots; null trusts only the system roots. */
  readonly ca: string | null;
  /** Presented when an https server asks for a client certificate. @default - none */
  readonly clientCertificate?: ClientCertificate;
  readonly signal?: AbortSignal;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export function send(url: string, init: RawRequest): Promise<RawResponse> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: init.method ?? 'GET',
        headers: init.headers,
        // `ca` replaces the system roots, so they are passed along with the extra certificate.
        ...(target.protocol === 'https:' && init.ca !== null ? { ca: [...rootCertificates, init.ca] } : {}),
        ...(target.protocol === 'https:' && init.clientCertificate !== undefined
          ? { cert: init.clientCertificate.cert, key: init.clientCertificate.key }
          : {}),
        timeout: init.timeoutMs ?? 10_000,
        signal: init.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${target.origin} timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

type FetchBody = string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null | undefined;

/** A `fetch` for oauth4webapi's `customFetch` option (it always passes a URL string and plain headers). */
export function trustingFetch(ca: string | null, clientCertificate?: ClientCertificate) {
  return async (
    url: string,
    init: { method?: string; headers?: Record<string, string>; body?: FetchBody; signal?: AbortSignal } = {},
  ): Promise<Response> => {
    if (init.body instanceof ReadableStream) throw new TypeError('a streamed request body is not supported');
    const body =
      init.body === null || init.body === undefined
        ? undefined
        : init.body instanceof Uint8Array
          ? Buffer.from(init.body)
          : init.body instanceof ArrayBuffer
            ? Buffer.from(init.body)
            : String(init.body);
    const headers: Record<string, string> = { ...init.headers };
    if (
      init.body instanceof URLSearchParams &&
      !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
    ) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    const raw = await send(url, {
      method: init.method,
      headers,
      body,
      ca,
      signal: init.signal,
      ...(clientCertificate === undefined ? {} : { clientCertificate }),
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(raw.headers)) {
      if (Array.isArray(value)) value.forEach((v) => responseHeaders.append(name, v));
      else if (value !== undefined) responseHeaders.set(name, value);
    }
    return new Response(raw.status === 204 || raw.status === 304 ? null : raw.body, {
      status: raw.status,
      headers: responseHeaders,
    });
  };
}
