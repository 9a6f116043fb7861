// One API call with a DPoP-bound token: oauth4webapi signs a fresh proof (htm, htu without query, ath, jti)
// with the caller's key and sends `Authorization: DPoP <token>`.
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
}

export async function callWithDpop(options: DpopCallOptions): Promise<DpopCallResult> {
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
      // The local gateway speaks plain http on 127.0.0.1.
      { DPoP: oauth.DPoP({}, options.key), [oauth.allowInsecureRequests]: true },
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
