// One API call with a sender-constrained token: a DPoP-bound token goes as `Authorization: DPoP <token>` with
// a fresh proof oauth4webapi signs with the caller's key (htm, htu without query, ath, jti); a
// certificate-bound token goes as `Authorization: Bearer <token>` over a connection that presents the client
// certificate (RFC 8705 keeps the Bearer scheme). When the API asks for its DPoP server nonce (RFC 9449 §8:
// `use_dpop_nonce` and a `DPoP-Nonce` header), the call is made once more with it.
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
  /** The `DPoP-Nonce` of the answer: the nonce the next proof must carry. */
  readonly dpopNonce: string | null;
  /** Whether the first answer asked for the server's nonce and the call was made again with it. */
  readonly nonceRetried: boolean;
}

export async function callApi(options: ApiCallOptions): Promise<ApiCallResult> {
  // oauth4webapi is ESM only; this module is CommonJS.
  const oauth = await import('oauth4webapi');
  const url = new URL(options.path, options.api);
  // One handle for both attempts: it keeps the DPoP-Nonce an answer carries and puts it in the next proof.
  const dpop = options.dpopKey === undefined ? undefined : oauth.DPoP({}, options.dpopKey);
  const send = (): Promise<Response> =>
    oauth.protectedResourceRequest(
      options.token,
      options.method,
      url,
      new Headers(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      options.body ?? null,
      {
        ...(dpop === undefined ? {} : { DPoP: dpop }),
        [oauth.customFetch]: trustingFetch(options.ca ?? null, options.clientCertificate),
        // Without MTLS=1 the local gateway speaks plain http on 127.0.0.1.
        [oauth.allowInsecureRequests]: true,
      },
    );
  let response: Response | undefined;
  let nonceRetried = false;
  while (response === undefined) {
    try {
      response = await send();
    } catch (error) {
      if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
      // The API's nonce challenge is a 403 (API Gateway lets an authorizer shape no 401: see the README);
      // oauth4webapi judges it by the challenge, whatever the status.
      if (dpop !== undefined && oauth.isDPoPNonceError(error) && !nonceRetried) {
        nonceRetried = true;
        await error.response.body?.cancel();
        continue;
      }
      // A refusal with a challenge is an answer to print, not a failure of this command.
      response = error.response;
    }
  }
  return {
    status: response.status,
    body: await response.text(),
    wwwAuthenticate: response.headers.get('www-authenticate'),
    dpopNonce: response.headers.get('dpop-nonce'),
    nonceRetried,
  };
}
