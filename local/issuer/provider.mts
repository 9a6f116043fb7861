// The local OpenID provider (oidc-provider, ESM only): HTTPS on 127.0.0.1, public clients with PKCE (S256)
// and loopback redirects, machine clients with client credentials whose permissions arrive in a `roles`
// claim, RS256 JWT access tokens for one API audience, its own login/consent pages, and, with mutualTls,
// certificate-bound access tokens (RFC 8705) for clients that present a certificate at the token endpoint.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Provider, { errors, type ClientLike, type InteractionDetails } from 'oidc-provider';
import type { TlsMaterial } from '../tls.js';
import {
  SERVICE_ROLES_CLAIM,
  authenticate,
  findUserBySubject,
  splitScopes,
  type DemoService,
  type DemoUser,
} from './demo-users.js';
import { consentPage, errorPage, loginPage, logoutPage, loggedOutPage } from './interaction-pages.js';

export interface LocalClient {
  readonly clientId: string;
  /** Loopback redirects match on any port (RFC 8252 §7.3) when the client is `native`. */
  readonly redirectUris: readonly string[];
  /**
   * `web` for a browser app: its redirect URIs match exactly, and the token endpoint answers CORS requests
   * from their origins (and from no other).
   * @default 'native'
   */
  readonly applicationType?: 'native' | 'web';
  /** Where RP-initiated logout may send the browser back to. @default - none */
  readonly postLogoutRedirectUris?: readonly string[];
  /** @default - the issuer's accessTokenTtlSeconds */
  readonly accessTokenTtlSeconds?: number;
  /**
   * Bind every access token to the client certificate presented on the token request (RFC 8705 §3,
   * `tls_client_certificate_bound_access_tokens`); a token request without one is refused. Needs the
   * issuer's mutualTls. The client keeps its own authentication (none + PKCE for a public client: RFC 8705
   * §4 lets a public client bind tokens to a self-made certificate).
   * @default false
   */
  readonly certificateBound?: boolean;
}

export interface LocalIssuerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly tls: TlsMaterial;
  /** The API identifier: the resource indicator and the access token's `aud`. */
  readonly audience: string;
  /** Every scope the API knows; users get the subset they are allowed. */
  readonly apiScopes: readonly string[];
  readonly users: readonly DemoUser[];
  readonly clients: readonly LocalClient[];
  /** Confidential clients for the client credentials grant. @default - none */
  readonly services?: readonly DemoService[];
  readonly accessTokenTtlSeconds: number;
  /**
   * Ask every TLS client for a certificate (without verifying its chain: the token is bound to whichever
   * certificate the client proved it holds the key of) and bind the tokens of certificateBound clients.
   * @default false
   */
  readonly mutualTls?: boolean;
}

export interface LocalIssuer {
  /** https://127.0.0.1:PORT */
  readonly issuer: string;
  readonly jwksUri: string;
  close(): Promise<void>;
}

/** Served where the authorizer looks by default: ISSUER + /.well-known/jwks.json. */
const JWKS_PATH = '/.well-known/jwks.json';

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) req.destroy(new Error('form too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

/**
 * The origin the interaction ends at (the client's redirect URI, already checked against its registration).
 * Chromium applies form-action to the redirects that follow a form post, so the consent form, whose answer
 * is redirected to the client, needs it allowed besides 'self'.
 */
function redirectOrigin(details: InteractionDetails): string {
  try {
    return new URL(String(details.params.redirect_uri)).origin;
  } catch {
    return '';
  }
}

function sendHtml(res: ServerResponse, status: number, html: string, formTarget = ''): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${formTarget ? ` ${formTarget}` : ''}`,
  });
  res.end(html);
}

function requestedScopes(details: InteractionDetails, audience: string): string[] {
  const fromResource = details.prompt.details.missingResourceScopes?.[audience] ?? [];
  const raw = typeof details.params.scope === 'string' ? details.params.scope.split(' ') : [];
  // Resource scopes the prompt reports, plus any already-encountered ones the request repeats.
  return [...new Set([...fromResource, ...raw])].filter(
    (s) => s !== '' && s !== 'openid' && s !== 'offline_access',
  );
}

export async function startLocalIssuer(options: LocalIssuerOptions): Promise<LocalIssuer> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  const mutualTls = options.mutualTls === true;
  const server: Server = createServer(
    {
      key: options.tls.key,
      cert: options.tls.cert,
      // Asked, not required: browsers and bearer clients go on without one.
      ...(mutualTls ? { requestCert: true, rejectUnauthorized: false } : {}),
    },
    (req, res) => handler(req, res),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ttlByClient = new Map(options.clients.map((c) => [c.clientId, c.accessTokenTtlSeconds]));
  const apiScopes = new Set(options.apiScopes);
  const services = new Map((options.services ?? []).map((s) => [s.clientId, s]));
  // Browser clients' origins, from their redirect URIs: the only origins the issuer answers CORS for.
  const corsOrigins = new Map(
    options.clients
      .filter((c) => c.applicationType === 'web')
      .map((c) => [c.clientId, new Set(c.redirectUris.map((uri) => new URL(uri).origin))]),
  );

  const provider = new Provider(issuer, {
    clients: [
      ...options.clients.map((c) => ({
        client_id: c.clientId,
        application_type: c.applicationType ?? 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [...c.redirectUris],
        post_logout_redirect_uris: [...(c.postLogoutRedirectUris ?? [])],
        ...(c.certificateBound === true ? { tls_client_certificate_bound_access_tokens: true } : {}),
      })),
      ...[...services.values()].map((s) => ({
        client_id: s.clientId,
        client_secret: s.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    clientBasedCORS: (_ctx: unknown, origin: string, client: ClientLike) =>
      corsOrigins.get(client.clientId)?.has(origin) ?? false,
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: { jwks: JWKS_PATH },
    scopes: ['openid'],
    claims: { openid: ['sub'] },
    // Public clients must use PKCE; oidc-provider accepts only S256, so `plain` is refused.
    pkce: { required: () => true },
    // No AccessToken entry: oidc-provider's default takes the resource server's accessTokenTTL (set below,
    // per client), and a fixed number here would override it.
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A token request with a DPoP proof gets a DPoP-bound access token (cnf.jkt, RFC 9449 §5); without
      // one, a bearer token. No nonceSecret: the authorizer's static 401 could not hand out nonces.
      dPoP: { enabled: true },
      // RFC 8705 §3: a JWT access token carries cnf["x5t#S256"], the SHA-256 thumbprint of the certificate
      // the TLS handshake proved the client holds the key of.
      mTLS: {
        enabled: mutualTls,
        certificateBoundAccessTokens: mutualTls,
        getCertificate: (ctx: { socket: TLSSocket }) => ctx.socket.getPeerX509Certificate(),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: { body: string }, form: string) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: (ctx: { body: string }) => {
          ctx.body = loggedOutPage();
        },
      },
      resourceIndicators: {
        enabled: true,
        // A client that names no resource still gets a token for the API, as Auth0's default audience does.
        defaultResource: (_ctx: unknown, _client: unknown, oneOf?: string | string[]) =>
          oneOf ?? options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string, client: ClientLike) => {
          if (indicator !== options.audience) throw new errors.InvalidTarget();
          return {
            // A service holds no scopes (a requested one is simply not granted): its roles are its permissions.
            scope: services.has(client.clientId) ? '' : [...apiScopes].join(' '),
            audience: options.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ttlByClient.get(client.clientId) ?? options.accessTokenTtlSeconds,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // Added to JWT access tokens; for a service's client credentials token, its roles.
    extraTokenClaims: (_ctx: unknown, token: { kind: string; clientId?: string }) => {
      const service = token.kind === 'ClientCredentials' ? services.get(token.clientId ?? '') : undefined;
      return service === undefined ? undefined : { [SERVICE_ROLES_CLAIM]: [...service.roles] };
    },
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const user = findUserBySubject(sub, options.users);
      return user && { accountId: user.subject, claims: () => ({ sub: user.subject }) };
    },
    renderError: (
      ctx: { type: string; body: string },
      out: { error: string; error_description?: string },
    ) => {
      ctx.type = 'html';
      ctx.body = errorPage(`${out.error}${out.error_description ? `: ${out.error_description}` : ''}`);
    },
  });
  provider.on('server_error', (_ctx, error) => {
    process.stderr.write(`issuer: server_error ${error instanceof Error ? error.message : String(error)}\n`);
  });
  const callback = provider.callback();

  async function interaction(
    req: IncomingMessage,
    res: ServerResponse,
    action: string | undefined,
  ): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    const clientId = String(details.params.client_id ?? '');
    const target = redirectOrigin(details);
    if (req.method === 'GET' && action === undefined) {
      if (details.prompt.name === 'login')
        return sendHtml(res, 200, loginPage(details.uid, clientId), target);
      const user = details.session && findUserBySubject(details.session.accountId, options.users);
      if (!user) return sendHtml(res, 400, errorPage('no signed-in user for this consent'));
      const { granted, refused } = splitScopes(user, requestedScopes(details, options.audience));
      return sendHtml(res, 200, consentPage(details.uid, clientId, user.username, granted, refused), target);
    }
    if (req.method !== 'POST') return sendHtml(res, 405, errorPage('method not allowed'));
    const form = await readForm(req);

    if (action === 'login' && details.prompt.name === 'login') {
      const user = authenticate(form.get('username') ?? '', form.get('password') ?? '', options.users);
      if (!user) {
        return sendHtml(res, 401, loginPage(details.uid, clientId, 'Wrong username or password.'), target);
      }
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: user.subject } },
        { mergeWithLastSubmission: false },
      );
    }
    if (action === 'confirm' && details.prompt.name === 'consent') {
      const user = details.session && findUserBySubject(details.session.accountId, options.users);
      if (!user) return sendHtml(res, 400, errorPage('no signed-in user for this consent'));
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId: user.subject, clientId });
      const missingOidc = details.prompt.details.missingOIDCScope ?? [];
      if (missingOidc.length > 0) grant.addOIDCScope(missingOidc.join(' '));
      const { granted, refused } = splitScopes(user, requestedScopes(details, options.audience));
      // A user gets only the scopes they are allowed; the rest are recorded as refused so the consent
      // prompt does not come back for them, and the token simply lacks them.
      if (granted.length > 0) grant.addResourceScope(options.audience, granted.join(' '));
      if (refused.length > 0) grant.rejectResourceScope(options.audience, refused.join(' '));
      const grantId = await grant.save();
      return provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    }
    if (action === 'abort') {
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'the user denied the request' },
        { mergeWithLastSubmission: false },
      );
    }
    return sendHtml(
      res,
      400,
      errorPage(`unexpected ${action ?? 'page'} for the ${details.prompt.name} step`),
    );
  }

  handler = (req, res) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/.exec(
      (req.url ?? '').split('?')[0] ?? '',
    );
    if (!match) return callback(req, res);
    interaction(req, res, match[2]).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : 'interaction failed';
      if (!res.headersSent) sendHtml(res, 400, errorPage(message));
      else res.end();
    });
  };

  return {
    issuer,
    jwksUri: issuer + JWKS_PATH,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
