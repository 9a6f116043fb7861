// The browser's DPoP key (RFC 9449): a fresh ES256 key pair per sign-in whose private half WebCrypto never
// lets out, held by oauth4webapi's DPoP handle, and the one retry that a server's nonce challenge calls for.
import * as oauth from 'oauth4webapi';

const ES256: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/**
 * A new key pair and the handle that signs proofs with it. `extractable: false` makes the private key
 * unexportable: a script running in this page can sign with it while the page lives, but can never copy it
 * out to sign elsewhere. (WebCrypto always makes the public half extractable; the proof's `jwk` needs it.)
 *
 * The key lives in memory only, inside the handle on the session object, like the token bound to it. Not in
 * localStorage: that holds strings, so the key would have to be exported, which is what `extractable: false`
 * forbids. Not in IndexedDB either, although it could keep the CryptoKey itself, still non-extractable: the
 * key would then outlive its token (lost on reload on purpose) and stay usable by any later script on this
 * origin, for no gain. For the same reason the key is made on the callback page, after the round trip
 * through the provider's pages, so the authorization code is not bound to it (`dpop_jkt`, RFC 9449 §10);
 * PKCE binds the code to this tab instead.
 */
export async function createDpopHandle(client: oauth.Client): Promise<oauth.DPoPHandle> {
  const keyPair = await crypto.subtle.generateKey(ES256, false, ['sign', 'verify']);
  return oauth.DPoP(client, keyPair);
}

/**
 * Runs a request that carries a DPoP proof, and runs it once more when the server answers with a nonce
 * challenge (`use_dpop_nonce`: RFC 9449 §8 at the token endpoint, §9 at a resource). The handle kept the
 * `DPoP-Nonce` the answer carried, so the second attempt signs a new proof with it. The challenge is known
 * by its error code alone, whatever status it came with: the RFC names 400 and 401, and a server may choose
 * another. Once only: a server that asks again gets its second answer passed on.
 */
export async function retryOnceForNonce<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    // The first answer is not read: release its connection before the second attempt.
    if (error instanceof oauth.WWWAuthenticateChallengeError) await error.response.body?.cancel();
    return attempt();
  }
}
