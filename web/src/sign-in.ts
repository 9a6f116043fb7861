// Authorization Code + PKCE (S256, with state) in the browser, on oauth4webapi: the authorization request,
// the callback's validation, the code exchange (with a DPoP proof when the API takes DPoP-bound tokens), and
// RP-initiated logout at the provider.
import * as oauth from 'oauth4webapi';
import type { AppConfig } from './app-config';
import { createDpopHandle, retryOnceForNonce } from './dpop-key';

/** Who is signed in: everything lives in this object, in memory, and is lost on reload on purpose. */
export interface Session {
  readonly accessToken: string;
  /**
   * For a DPoP-bound token (the config's `dpop`): the handle that holds the token's non-extractable key and
   * signs a proof for every call. undefined: a bearer token.
   */
  readonly dpop: oauth.DPoPHandle | undefined;
  /** The ID token's `sub`, validated by oauth4webapi (issuer, audience, expiry). */
  readonly subject: string;
  /** The scopes granted for the API (the token response's `scope`, RFC 6749 §5.1), without `openid`. */
  readonly scopes: readonly string[];
  readonly expiresAt: number | undefined;
  /** For the logout request (id_token_hint). */
  readonly idToken: string;
}

export class SignInError extends Error {
  readonly code: 'SIGN_IN_FAILED' | 'NO_PENDING_SIGN_IN';
  constructor(code: SignInError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SignInError';
    this.code = code;
  }
}

/**
 * The code verifier and state must survive the round trip through the provider's pages, which replaces this
 * page. They are kept in sessionStorage (this tab only) until the callback, then removed. The tokens never
 * go there.
 */
const PENDING_KEY = 'bearer-gate:pending-sign-in';

interface PendingSignIn {
  readonly codeVerifier: string;
  readonly state: string;
}

export function callbackUri(origin: string): string {
  return `${origin}/callback`;
}

async function discover(config: AppConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer));
}

/** Sends the browser to the provider's authorization endpoint. */
export async function startSignIn(config: AppConfig, origin: string): Promise<never> {
  const as = await discover(config);
  if (!as.authorization_endpoint) {
    throw new SignInError('SIGN_IN_FAILED', `${config.issuer} publishes no authorization_endpoint`);
  }
  const pending: PendingSignIn = {
    codeVerifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: config.clientId,
    redirect_uri: callbackUri(origin),
    response_type: 'code',
    scope: `openid ${config.scope}`,
    resource: config.audience,
    code_challenge: await oauth.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
  }).toString();
  location.assign(url.href);
  // The page is being replaced.
  return new Promise<never>(() => undefined);
}

function takePending(): PendingSignIn {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (raw === null) throw new SignInError('NO_PENDING_SIGN_IN', 'no sign-in was started in this tab');
  const parsed = JSON.parse(raw) as Partial<PendingSignIn>;
  if (typeof parsed.codeVerifier !== 'string' || typeof parsed.state !== 'string') {
    throw new SignInError('NO_PENDING_SIGN_IN', 'the pending sign-in is unreadable; start again');
  }
  return { codeVerifier: parsed.codeVerifier, state: parsed.state };
}

/** Completes the sign-in on /callback: checks state and `iss`, exchanges the code with the verifier. */
export async function completeSignIn(config: AppConfig, origin: string, callback: URL): Promise<Session> {
  const pending = takePending();
  const client: oauth.Client = { client_id: config.clientId };
  try {
    const as = await discover(config);
    const params = oauth.validateAuthResponse(as, client, callback, pending.state);
    const dpop = config.dpop ? await createDpopHandle(client) : undefined;
    const exchange = async (): Promise<oauth.TokenEndpointResponse> => {
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        callbackUri(origin),
        pending.codeVerifier,
        {
          additionalParameters: { resource: config.audience },
          ...(dpop === undefined ? {} : { DPoP: dpop }),
        },
      );
      return oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true });
    };
    const tokens = dpop === undefined ? await exchange() : await retryOnceForNonce(exchange);
    // RFC 9449 §5: a provider that ignored the proof answers with a bearer token; calling the API with it
    // would fail, and it would travel unbound.
    if (dpop !== undefined && tokens.token_type !== 'dpop') {
      throw new SignInError(
        'SIGN_IN_FAILED',
        `the provider issued a ${tokens.token_type} token although this app asked for a DPoP-bound one`,
      );
    }
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    if (!claims || tokens.id_token === undefined) {
      throw new SignInError('SIGN_IN_FAILED', 'the provider returned no ID token');
    }
    // RFC 6749 §5.1: a response without `scope` means exactly the scopes requested were granted.
    const granted = (tokens.scope ?? `openid ${config.scope}`)
      .split(' ')
      .filter((s) => s !== '' && s !== 'openid');
    return {
      accessToken: tokens.access_token,
      dpop,
      subject: claims.sub,
      scopes: granted,
      expiresAt: tokens.expires_in === undefined ? undefined : Date.now() + tokens.expires_in * 1000,
      idToken: tokens.id_token,
    };
  } catch (error) {
    if (error instanceof SignInError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new SignInError('SIGN_IN_FAILED', `sign-in failed: ${message}`, { cause: error });
  }
}

/** Ends the provider's session too (OpenID RP-Initiated Logout), so the next sign-in asks for a password. */
export async function signOutAtProvider(config: AppConfig, origin: string, session: Session): Promise<never> {
  const as = await discover(config);
  if (!as.end_session_endpoint) {
    location.assign(`${origin}/`);
  } else {
    const url = new URL(as.end_session_endpoint);
    url.search = new URLSearchParams({
      client_id: config.clientId,
      id_token_hint: session.idToken,
      post_logout_redirect_uri: `${origin}/`,
    }).toString();
    location.assign(url.href);
  }
  return new Promise<never>(() => undefined);
}
