// Composes the local loop: the OpenID provider, DynamoDB Local with the items and revocation tables, and the
// API gateway running the project's authorizer and route handlers. Each part returns a stop function.
import { createClientCa, createLoopbackCertificate } from './tls';
import { SettingError } from './errors';
import {
  DPOP_HEADER,
  decideCaching,
  describeConflicts,
  protectedResourceMetadataUrl,
} from 'bearer-gate/contract';
import { toRouteRules } from '../lambda/routes';
import { startAppServer, type AppServer } from './app-server';
import { createLocalAuthorizer, type LocalIssuerTrust } from './authorizer-wiring';
import {
  appGatewayResponses,
  constructContract,
  toGatewayResponseSet,
  type ConstructContract,
} from './construct-contract';
import {
  ensureItemsTable,
  ensureRevocationTable,
  LOCAL_AWS_ENV,
  localClient,
  startDynamoDbLocal,
} from './dynamodb-local';
import { createGateway, type Gateway, type GatewayMutualTls, type TokenAuthorizer } from './gateway';
import { API_SCOPES, DEMO_SERVICES, DEMO_USERS, ITEMS_SCOPES } from './issuer/demo-users';
import { loadRouteHandlers } from './route-handlers';
import type { LocalMutualTls, LocalStackInfo } from './stack-file';
import type { Env, StackSettings } from './stack-settings';

export const CLI_CLIENT_ID = 'local-cli';
/** With MTLS=1: the CLI's client whose tokens are bound to the certificate it presents (RFC 8705). */
export const MTLS_CLIENT_ID = 'local-cli-mtls';
export const SHORT_LIVED_CLIENT_ID = 'local-cli-short-lived';
/** The browser app's public client (web/): its redirect URI is the app origin's /callback. */
export const APP_CLIENT_ID = 'local-app';
/** RFC 8252 loopback redirect; the provider accepts it on any port. */
export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';

export interface RunningStack {
  readonly info: LocalStackInfo;
  readonly gateway: Gateway;
  /** Stops everything that was started, newest first. Safe to call twice. */
  stop(): Promise<void>;
}

type Stop = () => Promise<void>;
type Announce = (line: string) => void;

async function startIssuer(
  settings: StackSettings,
  announce: Announce,
  appOrigin: string,
): Promise<{ trust: LocalIssuerTrust; stop: Stop }> {
  const tls = await createLoopbackCertificate();
  // oidc-provider is ESM only; this module is CommonJS, so it is loaded with import().
  const { startLocalIssuer } = await import('./issuer/provider.mjs');
  const issuer = await startLocalIssuer({
    port: settings.issuerPort,
    tls,
    audience: settings.audience,
    apiScopes: API_SCOPES,
    users: DEMO_USERS,
    clients: [
      { clientId: CLI_CLIENT_ID, redirectUris: [LOOPBACK_REDIRECT_URI] },
      ...(settings.mtls
        ? [{ clientId: MTLS_CLIENT_ID, redirectUris: [LOOPBACK_REDIRECT_URI], certificateBound: true }]
        : []),
      {
        clientId: APP_CLIENT_ID,
        applicationType: 'web',
        redirectUris: [`${appOrigin}/callback`],
        postLogoutRedirectUris: [`${appOrigin}/`],
      },
      ...(settings.shortLivedTokenTtlSeconds === null
        ? []
        : [
            {
              clientId: SHORT_LIVED_CLIENT_ID,
              redirectUris: [LOOPBACK_REDIRECT_URI],
              accessTokenTtlSeconds: settings.shortLivedTokenTtlSeconds,
            },
          ]),
    ],
    services: DEMO_SERVICES,
    accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
    mutualTls: settings.mtls,
  });
  announce(`issuer: ${issuer.issuer}`);
  return {
    trust: {
      issuer: issuer.issuer,
      audience: settings.audience,
      jwksUri: issuer.jwksUri,
      certificate: tls.cert,
    },
    stop: () => issuer.close(),
  };
}

async function startDynamoDb(
  settings: StackSettings,
  announce: Announce,
): Promise<{ endpoint: string; stop: Stop }> {
  const replay = settings.dpopNonces ? `, ${settings.dpopReplayTable}` : '';
  const tables = `tables ${settings.itemsTable}, ${settings.revocationTable}${replay}`;
  // The DPoP replay table has the revocation table's schema.
  const ensureReplayTable = async (client: ReturnType<typeof localClient>): Promise<void> => {
    if (settings.dpopNonces) await ensureRevocationTable(client, settings.dpopReplayTable);
  };
  if (settings.dynamodbEndpoint !== null) {
    const client = localClient(settings.dynamodbEndpoint);
    try {
      await ensureItemsTable(client, settings.itemsTable);
      await ensureRevocationTable(client, settings.revocationTable);
      await ensureReplayTable(client);
    } finally {
      client.destroy();
    }
    announce(`dynamodb: ${settings.dynamodbEndpoint} (DYNAMODB_ENDPOINT, ${tables})`);
    return { endpoint: settings.dynamodbEndpoint, stop: async () => undefined };
  }
  const local = await startDynamoDbLocal();
  await ensureItemsTable(local.client, settings.itemsTable);
  await ensureRevocationTable(local.client, settings.revocationTable);
  await ensureReplayTable(local.client);
  announce(`dynamodb: ${local.endpoint} (DynamoDB Local, ${tables})`);
  return { endpoint: local.endpoint, stop: () => local.stop() };
}

/**
 * What the construct does with a revocationTable: the authorizer reads that table, and the result cache TTL
 * is capped at the revocation delay. With REVOCATION_CHECK=0 the authorizer runs without the check, like a
 * deployment without the prop (POST /revocations still writes, but nothing reads it).
 */
function revocationWiring(
  settings: StackSettings,
  env: Env,
  endpoint: string,
): { authorizerEnv: Env; cacheTtlSeconds: number; line: string } {
  if (!settings.revocationCheck) {
    const { REVOCATION_TABLE: _off, ...rest } = env;
    return {
      authorizerEnv: rest,
      cacheTtlSeconds: settings.cacheTtlSeconds,
      line: `revocation: off (REVOCATION_CHECK=0); authorizer cache TTL ${settings.cacheTtlSeconds} s`,
    };
  }
  const cacheTtlSeconds = Math.min(settings.cacheTtlSeconds, settings.maxRevocationDelaySeconds);
  return {
    authorizerEnv: { ...env, REVOCATION_TABLE: settings.revocationTable, DYNAMODB_ENDPOINT: endpoint },
    cacheTtlSeconds,
    line:
      `revocation: on (table ${settings.revocationTable}); MAX_REVOCATION_DELAY_SECONDS ` +
      `${settings.maxRevocationDelaySeconds}, so the authorizer cache TTL is ${cacheTtlSeconds} s`,
  };
}

/**
 * What the construct does with `dpop: { nonces: true, replayTable }`: the authorizer records proofs in the
 * replay table, shares the nonce key through it, and names the metadata URL in the 403s it words itself.
 * DPOP_NONCES is always set here, since the caller's own (DPOP_NONCES=1) is not the Lambda's `true`.
 */
function dpopNonceEnv(settings: StackSettings, endpoint: string, api: string): Env {
  if (!settings.dpopNonces) return { DPOP_NONCES: 'false' };
  return {
    DPOP_NONCES: 'true',
    DPOP_REPLAY_TABLE: settings.dpopReplayTable,
    DYNAMODB_ENDPOINT: endpoint,
    RESOURCE_METADATA_URL: protectedResourceMetadataUrl(api),
  };
}

/**
 * How long a subject revocation is kept: the longest token lifetime the local issuer hands out, plus the
 * authorizer's clock skew (it accepts a token until exp + skew), and at least the admin handler's minimum.
 */
function maxTokenLifetimeSeconds(settings: StackSettings, env: Env): number {
  const skew = Number(env.CLOCK_SKEW_SECONDS ?? 30) || 0;
  const longest = Math.max(settings.accessTokenTtlSeconds, settings.shortLivedTokenTtlSeconds ?? 0);
  return Math.max(60, longest + skew);
}

/**
 * The gateway as a custom domain with mutual TLS: its own throwaway server certificate, and a throwaway
 * client CA as the truststore (and for npm run login -- --mtls to issue client certificates from).
 */
async function gatewayMutualTls(): Promise<{ gateway: GatewayMutualTls; stackInfo: LocalMutualTls }> {
  const [server, clientCa] = await Promise.all([createLoopbackCertificate(), createClientCa()]);
  return {
    gateway: { key: server.key, cert: server.cert, truststore: clientCa.cert },
    stackInfo: { clientId: MTLS_CLIENT_ID, clientCa: { cert: clientCa.cert, key: clientCa.key } },
  };
}

export interface StartOptions {
  readonly settings: StackSettings;
  /** The process environment: authorizer settings (LOG_LEVEL, CLOCK_SKEW_SECONDS, ISSUER, ...) come from it. */
  readonly env: Env;
  /** Receives the ready lines. */
  readonly announce: Announce;
  /**
   * @default - the construct's identity validation expression and gateway responses, with the browser app's
   * origin (and no other) as the CORS origin
   */
  readonly contract?: ConstructContract;
}

export async function startLocalStack(options: StartOptions): Promise<RunningStack> {
  const { settings, env, announce } = options;
  const stops: Stop[] = [];
  const stop = async (): Promise<void> => {
    while (stops.length > 0) await stops.pop()?.();
  };
  try {
    // The browser app's origin comes first: the issuer registers its redirect URI and the gateway allows
    // it as the one CORS origin. Its client exists only at the local issuer, so not with an external one.
    let app: AppServer | null = null;
    if (!settings.externalIssuer) {
      const started = await startAppServer(settings.appPort);
      stops.push(() => started.close());
      app = started;
    }
    const contract =
      options.contract ??
      (app ? constructContract(appGatewayResponses(app.origin), app.origin) : constructContract());
    // The issuer and Java start in parallel; each announces itself when ready.
    const [issuerStarted, dynamodbStarted] = await Promise.allSettled([
      app === null ? Promise.resolve(null) : startIssuer(settings, announce, app.origin),
      startDynamoDb(settings, announce),
    ]);
    // Register whatever did start before failing on what did not, so nothing is left running.
    if (issuerStarted.status === 'fulfilled' && issuerStarted.value) stops.push(issuerStarted.value.stop);
    if (dynamodbStarted.status === 'fulfilled') stops.push(dynamodbStarted.value.stop);
    if (issuerStarted.status === 'rejected') throw issuerStarted.reason;
    if (dynamodbStarted.status === 'rejected') throw dynamodbStarted.reason;
    const issuer = issuerStarted.value;
    const dynamodb = dynamodbStarted.value;
    if (!issuer) announce(`issuer: ${env.ISSUER ?? '(from ISSUERS / COGNITO_USER_POOL_ID)'} (external)`);

    // The handlers read these at module load, like a Lambda cold start.
    for (const [name, value] of Object.entries(LOCAL_AWS_ENV)) process.env[name] ??= value;
    process.env.ITEMS_TABLE = settings.itemsTable;
    process.env.REVOCATION_TABLE = settings.revocationTable;
    // An external issuer's token lifetime is unknown here: the admin handler's own default (one day) applies.
    if (issuer) process.env.MAX_TOKEN_LIFETIME_SECONDS ??= String(maxTokenLifetimeSeconds(settings, env));
    process.env.DYNAMODB_ENDPOINT = dynamodb.endpoint;
    if (app) process.env.CORS_ALLOW_ORIGIN = app.origin;
    const routes = await loadRouteHandlers();

    const revocation = revocationWiring(settings, env, dynamodb.endpoint);
    announce(revocation.line);
    // The same decision the construct makes at synth, from the same route table.
    const caching = decideCaching(toRouteRules(), settings.authorizerCaching);
    if (settings.authorizerCaching === 'token' && caching.conflicts.length > 0) {
      throw new SettingError(
        'AUTHORIZER_CACHING',
        `is token, but one token-cached policy cannot tell these routes apart: ${describeConflicts(caching.conflicts)}`,
      );
    }
    // Both bindings need the REQUEST event (the proof, the certificate) and no cache (a cached policy would
    // answer a replayed proof or another certificate), as the construct deploys them.
    const bound = [settings.dpop ? 'DPOP=1' : '', settings.mtls ? 'MTLS=1' : ''].filter(Boolean);
    announce(
      (bound.length > 0
        ? `authorizer: REQUEST, not cached (${bound.join(', ')}: a cached policy would answer another proof or certificate)`
        : `authorizer: ${caching.perRoute ? 'REQUEST, cached per token and route' : 'TOKEN, cached per token'}`) +
        (settings.dpopNonces ? `; server nonces on (table ${settings.dpopReplayTable})` : ''),
    );
    const mutualTls = settings.mtls ? await gatewayMutualTls() : null;
    // Made once the gateway listens: with server nonces its 403s name the metadata URL, which holds the port.
    const made: { authorizer?: TokenAuthorizer } = {};
    const gateway = createGateway({
      routes,
      authorizerType: caching.perRoute || bound.length > 0 ? 'REQUEST' : 'TOKEN',
      authorizer: (event, context) => {
        if (made.authorizer === undefined) throw new Error('the local authorizer is not made yet');
        return made.authorizer(event, context);
      },
      identityValidationExpression: contract.identityValidationExpression,
      cacheTtlSeconds: bound.length > 0 ? 0 : revocation.cacheTtlSeconds,
      responses: contract.responses,
      statsEndpoint: settings.statsEndpoint,
      metricsPage: true,
      cors: settings.dpop
        ? { ...contract.cors, allowHeaders: [...contract.cors.allowHeaders, DPOP_HEADER] }
        : contract.cors,
      protectedResource: {
        authorizationServers: issuer ? [issuer.trust.issuer] : [],
        scopes: toRouteRules().flatMap((r) => r.scopes),
        dpop: settings.dpop,
        mutualTls: settings.mtls,
      },
      ...(mutualTls === null ? {} : { mutualTls: mutualTls.gateway }),
    });
    const api = await gateway.listen(settings.apiPort);
    stops.push(() => gateway.close());
    made.authorizer = createLocalAuthorizer(
      { ...revocation.authorizerEnv, ...dpopNonceEnv(settings, dynamodb.endpoint, api) },
      issuer?.trust ?? null,
    );
    // The 401 names the metadata URL, which holds the port the gateway got.
    if (options.contract === undefined) {
      gateway.useResponses(
        toGatewayResponseSet(
          appGatewayResponses(app?.origin ?? '*', {
            dpop: settings.dpop,
            dpopNonces: settings.dpopNonces,
            resourceMetadataUrl: protectedResourceMetadataUrl(api),
          }),
        ),
      );
    }
    announce(`api: ${api}`);
    if (mutualTls !== null) {
      announce(
        'mutual TLS: the API requires a client certificate from the local client CA (npm run login -- --mtls)',
      );
    }
    announce(`protected-resource metadata: ${protectedResourceMetadataUrl(api)}`);
    if (app && issuer) {
      app.configure({
        issuer: issuer.trust.issuer,
        clientId: APP_CLIENT_ID,
        audience: settings.audience,
        scope: ITEMS_SCOPES.join(' '),
        api,
        // With DPOP=1 the app binds its token to a key of its own, as the issuer and the gateway expect.
        dpop: settings.dpop,
        routes: toRouteRules(),
      });
      announce(`app: ${app.origin}`);
    }

    const info: LocalStackInfo = {
      issuer: issuer?.trust.issuer ?? env.ISSUER ?? '',
      api,
      audience: issuer ? settings.audience : (env.AUDIENCE ?? ''),
      clientId: CLI_CLIENT_ID,
      shortLivedClientId: settings.shortLivedTokenTtlSeconds === null ? null : SHORT_LIVED_CLIENT_ID,
      issuerCertificate: issuer?.trust.certificate ?? null,
      dynamodb: dynamodb.endpoint,
      app: app?.origin ?? null,
      pid: process.pid,
      apiCertificate: mutualTls?.gateway.cert ?? null,
      mtls: mutualTls?.stackInfo ?? null,
    };
    return { info, gateway, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
