// Authorization Code + PKCE (S256, with state) for a native client with a loopback redirect (RFC 8252),
// built on oauth4webapi: discovery, the authorization request, response validation and the code exchange.
import type { webcrypto } from 'node:crypto';
import { LocalStackError } from '../errors';
import { completeInteraction } from './headless-interaction';
import { startLoopbackListener } from './loopback-listener';
import { trustingFetch, type ClientCertificate } from './trusted-http';

export interface LoginOptions {
  readonly issuer: string;
  readonly clientId: string;
  /** The API identifier, sent as the RFC 8707 `resource` parameter. */
  readonly audience: string;
  /** Space-separated scopes to request. */
  readonly scope: string;
  /** The issuer's certificate (PEM) to trust; null for a publicly trusted issuer. */
  readonly ca: string | null;
  /** Fill in the local issuer's forms as this user instead of waiting for a person with a browser. */
  readonly headless?: { readonly username: string; readonly password: string };
  /** Called with the authorization URL for a person to open (interactive mode). */
  readonly onAuthorizeUrl?: (url: string) => void;
  /** Bind the token to this key with a DPoP proof on the token request (RFC 9449 §5). */
  readonly dpopKey?: webcrypto.CryptoKeyPair;
  /**
   * Present this certificate on every TLS connection to the issuer; a client registered for
   * certificate-bound tokens gets its token bound to it (RFC 8705 §3).
   */
  readonly clientCertificate?: ClientCertificate;
  /** @default 300000 */
  readonly timeoutMs?: number;
}

export interface LoginResult {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number | undefined;
  /** The scopes granted, which may be fewer than requested. */
  readonly scope: string | undefined;
}

export async function loginWithPkce(options: LoginOptions): Promise<LoginResult> {
  // oauth4webapi is ESM only; this module is CommonJS.
  const oauth = await import('oauth4webapi');
  const http = { [oauth.customFetch]: trustingFetch(options.ca, options.clientCertificate) };
  const issuer = new URL(options.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
  if (!as.authorization_endpoint) {
    throw new LocalStackError('LOGIN_FAILED', `${options.issuer} publishes no authorization_endpoint`);
  }
  const client = { client_id: options.clientId };
  const dpop = options.dpopKey === undefined ? {} : { DPoP: oauth.DPoP({}, options.dpopKey) };
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const listener = await startLoopbackListener();
  try {
    const authorizeUrl = new URL(as.authorization_endpoint);
    authorizeUrl.search = new URLSearchParams({
      client_id: options.clientId,
      redirect_uri: listener.redirectUri,
      response_type: 'code',
      scope: options.scope,
      resource: options.audience,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
    }).toString();

    const timeoutMs = options.timeoutMs ?? 300_000;
    const callback = listener.waitForCallback(timeoutMs);
    if (options.headless) {
      await completeInteraction(authorizeUrl.href, { ...options.headless, ca: options.ca });
    } else {
      options.onAuthorizeUrl?.(authorizeUrl.href);
    }
    // Checks state, the `iss` parameter (RFC 9207) and turns an error response into an exception.
    const params = oauth.validateAuthResponse(as, client, await callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      listener.redirectUri,
      codeVerifier,
      { ...http, ...dpop, additionalParameters: { resource: options.audience } },
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
    // An issuer that ignored the proof would hand out a bearer token the caller did not ask for.
    if (options.dpopKey !== undefined && tokens.token_type.toLowerCase() !== 'dpop') {
      throw new LocalStackError(
        'LOGIN_FAILED',
        `asked for a DPoP-bound token, got token_type ${tokens.token_type}`,
      );
    }
    return {
      accessToken: tokens.access_token,
      tokenType: tokens.token_type,
      expiresIn: tokens.expires_in,
      scope: tokens.scope,
    };
  } catch (error) {
    if (error instanceof LocalStackError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new LocalStackError('LOGIN_FAILED', `login failed: ${message}`, { cause: error });
  } finally {
    await listener.close();
  }
}
