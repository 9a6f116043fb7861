// The OAuth 2.0 client credentials grant (RFC 6749 §4.4) for a confidential machine client, built on
// oauth4webapi: discovery, the token request with HTTP Basic client authentication, response validation.
import { LocalStackError } from '../errors';
import type { LoginResult } from './pkce-login';
import { trustingFetch } from './trusted-http';

export interface ClientCredentialsOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The API identifier, sent as the RFC 8707 `resource` parameter. */
  readonly audience: string;
  /** The issuer's certificate (PEM) to trust; null for a publicly trusted issuer. */
  readonly ca: string | null;
}

export async function clientCredentialsToken(options: ClientCredentialsOptions): Promise<LoginResult> {
  // oauth4webapi is ESM only; this module is CommonJS.
  const oauth = await import('oauth4webapi');
  const http = { [oauth.customFetch]: trustingFetch(options.ca) };
  try {
    const issuer = new URL(options.issuer);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, http));
    const client = { client_id: options.clientId };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretBasic(options.clientSecret),
      { resource: options.audience },
      http,
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    return {
      accessToken: tokens.access_token,
      tokenType: tokens.token_type,
      expiresIn: tokens.expires_in,
      scope: tokens.scope,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new LocalStackError('LOGIN_FAILED', `client credentials grant failed: ${message}`, {
      cause: error,
    });
  }
}
