// One API call with a DPoP-bound token: oauth4webapi signs a fresh proof (htm, htu without query, ath, jti)
// with the caller's key and sends `Authorization: DPoP <token>`. When the API asks for its server nonce
// (RFC 9449 §8: `use_dpop_nonce` and a `DPoP-Nonce` header), the call is made once more with it.
import type { webcrypto } from 'node:crypto';
export interface DpopCallOptions {
  readonly api: string;
  readonly method: string;
  readonly path: string;
  readonly token: string;
  readonly key: webcrypto.CryptoKeyPair;
  readonly body?: string;
}

export interface DpopCallResult {
  readonly status: number;
  readonly body: string;
  readonly wwwAuthenticate: string | null;
  /** The `DPoP-Nonce` of the answer: the nonce the next proof must carry. */
  readonly dpopNonce: string | null;
  /** Whether the first answer asked for the server's nonce and the call was made again with it. */
  readonly nonceRetried: boolean;
}

export async function callWithDpop(options: DpopCallOptions): Promise<DpopCallResult> {
  // oauth4webapi is ESM only; this module is CommonJS.
  const oauth = await import('oauth4webapi');
  const url = new URL(options.path, options.api);
  // One handle for both attempts: it keeps the DPoP-Nonce an answer carries and puts it in the next proof.
  const dpop = oauth.DPoP({}, options.key);
  const send = (): Promise<Response> =>
    oauth.protectedResourceRequest(
      options.token,
      options.method,
      url,
      new Headers(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      options.body ?? null,
      // The local gateway speaks plain http on 127.0.0.1.
      { DPoP: dpop, [oauth.allowInsecureRequests]: true },
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
      if (oauth.isDPoPNonceError(error) && !nonceRetried) {
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
