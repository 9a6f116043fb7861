// Composes the local loop: the OpenID provider, DynamoDB Local with the items table, and the API gateway
// running the project's authorizer and items handlers. Each part returns a stop function.
import { createLoopbackCertificate } from './tls';
import { createLocalAuthorizer, type LocalIssuerTrust } from './authorizer-wiring';
import { constructContract, type ConstructContract } from './construct-contract';
import { ensureItemsTable, LOCAL_AWS_ENV, localClient, startDynamoDbLocal } from './dynamodb-local';
import { createGateway, type Gateway } from './gateway';
import { API_SCOPES, DEMO_USERS } from './issuer/demo-users';
import { loadRouteHandlers } from './route-handlers';
import type { LocalStackInfo } from './stack-file';
import type { Env, StackSettings } from './stack-settings';

export const CLI_CLIENT_ID = 'local-cli';
export const SHORT_LIVED_CLIENT_ID = 'local-cli-short-lived';
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
    accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
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
  if (settings.dynamodbEndpoint !== null) {
    const client = localClient(settings.dynamodbEndpoint);
    try {
      await ensureItemsTable(client, settings.itemsTable);
    } finally {
      client.destroy();
    }
    announce(`dynamodb: ${settings.dynamodbEndpoint} (DYNAMODB_ENDPOINT, table ${settings.itemsTable})`);
    return { endpoint: settings.dynamodbEndpoint, stop: async () => undefined };
  }
  const local = await startDynamoDbLocal();
  await ensureItemsTable(local.client, settings.itemsTable);
  announce(`dynamodb: ${local.endpoint} (DynamoDB Local, table ${settings.itemsTable})`);
  return { endpoint: local.endpoint, stop: () => local.stop() };
}

export interface StartOptions {
  readonly settings: StackSettings;
  /** The process environment: authorizer settings (LOG_LEVEL, CLOCK_SKEW_SECONDS, ISSUER, ...) come from it. */
  readonly env: Env;
  /** Receives the ready lines. */
  readonly announce: Announce;
  /** @default - the construct's identity validation expression and gateway responses */
  readonly contract?: ConstructContract;
}

export async function startLocalStack(options: StartOptions): Promise<RunningStack> {
  const { settings, env, announce } = options;
  const contract = options.contract ?? constructContract();
  const stops: Stop[] = [];
  const stop = async (): Promise<void> => {
    while (stops.length > 0) await stops.pop()?.();
  };
  try {
    // The issuer and Java start in parallel; each announces itself when ready.
    const [issuerStarted, dynamodbStarted] = await Promise.allSettled([
      settings.externalIssuer ? Promise.resolve(null) : startIssuer(settings, announce),
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
    process.env.DYNAMODB_ENDPOINT = dynamodb.endpoint;
    const routes = await loadRouteHandlers();

    const gateway = createGateway({
      routes,
      authorizer: createLocalAuthorizer(env, issuer?.trust ?? null),
      identityValidationExpression: contract.identityValidationExpression,
      cacheTtlSeconds: settings.cacheTtlSeconds,
      responses: contract.responses,
      statsEndpoint: settings.statsEndpoint,
      cors: contract.cors,
    });
    const api = await gateway.listen(settings.apiPort);
    stops.push(() => gateway.close());
    announce(`api: ${api}`);

    const info: LocalStackInfo = {
      issuer: issuer?.trust.issuer ?? env.ISSUER ?? '',
      api,
      audience: issuer ? settings.audience : (env.AUDIENCE ?? ''),
      clientId: CLI_CLIENT_ID,
      shortLivedClientId: settings.shortLivedTokenTtlSeconds === null ? null : SHORT_LIVED_CLIENT_ID,
      issuerCertificate: issuer?.trust.certificate ?? null,
      dynamodb: dynamodb.endpoint,
      pid: process.pid,
    };
    return { info, gateway, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
