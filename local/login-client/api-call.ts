// One API call with a sender-constrained token: a DPoP-bound token goes as `Authorization: DPoP <token>` with
// a fresh proof oauth4webapi signs with the caller's key (htm, htu without query, ath, jti); a
// certificate-bound token goes as `Authorization: Bearer <token>` over a connection that presents the client
// certificate (RFC 8705 keeps the Bearer scheme).
import type { webcrypto } from 'node:crypto';
import { trustingFetch, type ClientCertificate } from './trusted-http';

export interface ApiCallOptions {
  readonly api: string;
  readonly method: string;
  readonly path: string;
  readonly token: string;
  /** The key a DPoP-bound token is bound to; undefined sends the token as Bearer. */
  readonly dpopKey?: webcrypto.CryptoKeyPair;
  /** Presented on the TLS connection (an API that requires mutual TLS). */
  readonly clientCertificate?: ClientCertificate;
  /** The API's own certificate (PEM) to trust when it is served over HTTPS with a throwaway one. */
  readonly ca?: string | null;
  readonly body?: string;
}

export interface ApiCallResult {
  readonly status: number;
  readonly body: string;
  readonly wwwAuthenticate: string | null;
}

export async function callApi(options: ApiCallOptions): Promise<ApiCallResult> {
  // oauth4webapi is ESM only; this module is CommonJS.
  const oauth = await import('oauth4webapi');
  const headers = new Headers(options.body === undefined ? {} : { 'content-type': 'application/json' });
  const url = new URL(options.path, options.api);
  let response: Response;
  try {
    response = await oauth.protectedResourceRequest(
      options.token,
      options.method,
      url,
      headers,
      options.body ?? null,
      {
        ...(options.dpopKey === undefined ? {} : { DPoP: oauth.DPoP({}, options.dpopKey) }),
        [oauth.customFetch]: trustingFetch(options.ca ?? null, options.clientCertificate),
        // Without MTLS=1 the local gateway speaks plain http on 127.0.0.1.
        [oauth.allowInsecureRequests]: true,
      },
    );
  } catch (error) {
    // A 401 with a challenge is an answer to print, not a failure of this command.
    if (error instanceof oauth.WWWAuthenticateChallengeError) response = error.response;
    else throw error;
  }
  return {
    status: response.status,
    body: await response.text(),
    wwwAuthenticate: response.headers.get('www-authenticate'),
  };
}
