// The construct's DPoP (RFC 9449), certificate-bound token (RFC 8705) and protected-resource metadata
// (RFC 9728) options: how they become the Lambda's environment, the authorizer's caching, the gateway
// responses and the metadata route.
import { Duration, Lazy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
  type GatewayResponseOptions,
} from '../../lambda/contract';
import type { RouteRule } from '../../lambda/contract/route-rules';
import { propError } from './prop-checks';

/** `Stack/Jwt: <prop> <problem>. <fix>`, thrown at once. */
function invalidProp(path: string, prop: string, problem: string, fix: string): never {
  throw propError(path, 'INVALID_PROP', { prop, problem, fix });
}

/** DPoP-bound tokens (RFC 9449): a bound token must come with a fresh proof from its key. */
export interface DpopProps {
  /**
   * Issuers (exact `iss`) whose every token must be DPoP-bound; their bearer tokens are refused. `['*']`
   * means every trusted issuer.
   * @default - bearer tokens stay accepted; tokens with `cnf.jkt` must come with a proof
   */
  readonly requiredIssuers?: string[];
  /**
   * A table with the revocation table's schema (partition key `pk`, string; TTL on `expiresAt`) where each
   * accepted proof is written once, so a proof replayed to any Lambda instance is refused. The authorizer
   * gets `dynamodb:PutItem` on it only: use a table of its own, not the revocation table (whose authorizer
   * access is read-only).
   * @default - each Lambda instance remembers the proofs it accepted: a replay to another instance is not caught
   */
  readonly replayTable?: dynamodb.ITable;
  /**
   * How long after its `iat` a proof is accepted (1 to 300 seconds).
   * @default Duration.minutes(1)
   */
  readonly proofMaxAge?: Duration;
  /**
   * Require server nonces (RFC 9449 §8) in every proof, for every issuer's DPoP-bound tokens: a proof without
   * a nonce this API handed out is answered 403 with `WWW-Authenticate: DPoP error="use_dpop_nonce"` and a
   * `DPoP-Nonce` header (a 403, not RFC 9449's 401: API Gateway lets an authorizer shape only its Deny
   * response), and every decision for a DPoP-bound token hands the integration the next nonce in its context
   * (`dpopNonce`), to return as `DPoP-Nonce`. Nonces change every minute and are accepted for one to two;
   * the key that signs them is an item of `replayTable`, which is therefore required (the authorizer also
   * gets `dynamodb:GetItem` on it). The 403 for a missing scope then names the route's scopes.
   * @default false
   */
  readonly nonces?: boolean;
}

/** RFC 9728 protected-resource metadata, served by the API itself without the authorizer. */
export interface ProtectedResourceProps {
  /**
   * The resource identifier: the https URL clients call (a custom domain and base path, e.g.
   * `https://api.example.com/v1`), which should be the audience tokens are issued for (RFC 8707). The
   * metadata is served at RFC 9728 §3.1's URL for it, e.g.
   * `https://api.example.com/.well-known/oauth-protected-resource/v1`, so the API must be reachable there.
   */
  readonly resource: string;
  /**
   * The authorization servers to publish.
   * @default - every trusted issuer
   */
  readonly authorizationServers?: string[];
}

/**
 * Certificate-bound tokens (RFC 8705): API Gateway passes the client certificate of a custom domain with
 * mutual TLS to a REQUEST authorizer, which checks it against the token's `cnf["x5t#S256"]`.
 */
export interface MutualTlsProps {
  /**
   * The custom domain clients call, created with `mtls: { bucket, key }` (the truststore in S3). Checked
   * at synth: a domain without mutual TLS passes no certificate, so every certificate-bound token would be
   * refused. Map it to the API with `disableExecuteApiEndpoint: true` on the RestApi, or clients can skip
   * mutual TLS through the execute-api URL (certificate-bound tokens still fail there; bearer tokens pass).
   */
  readonly domainName: apigw.DomainName;
}

/** Throws unless the domain was created with mutual TLS (its truststore URI is set). */
export function checkMutualTls(path: string, mutualTls: MutualTlsProps | undefined): void {
  if (mutualTls === undefined) return;
  const cfn = mutualTls.domainName.node.defaultChild as apigw.CfnDomainName | undefined;
  const truststore = cfn?.mutualTlsAuthentication as
    apigw.CfnDomainName.MutualTlsAuthenticationProperty | undefined;
  if (truststore?.truststoreUri === undefined) {
    invalidProp(
      path,
      'mutualTls.domainName',
      `(${mutualTls.domainName.node.path}) has no mutual TLS: API Gateway would pass no client certificate`,
      "Create the DomainName with mtls: { bucket, key } naming the truststore's PEM bundle in S3.",
    );
  }
}

/**
 * With DPoP or mutual TLS the result cache is off: a cached Allow would be served for a replayed proof or
 * for another client certificate (neither can be part of the cache key). An explicit non-zero
 * `resultsCacheTtl` is a contradiction, refused.
 */
export function mutualTlsCacheTtl(
  path: string,
  mutualTls: MutualTlsProps | undefined,
  resultsCacheTtl: Duration | undefined,
): Duration | undefined {
  if (mutualTls === undefined) return undefined;
  if (resultsCacheTtl !== undefined && resultsCacheTtl.toSeconds() !== 0) {
    invalidProp(
      path,
      'resultsCacheTtl',
      `must be Duration.seconds(0) with mutualTls (a cached policy would answer another client certificate); got ${resultsCacheTtl.toSeconds()} s`,
      'Leave resultsCacheTtl out with mutualTls.',
    );
  }
  return Duration.seconds(0);
}

/** The Lambda's DPoP variables (read back by lambda/authorizer/dpop-config.ts). */
export function dpopEnvironment(
  path: string,
  dpop: DpopProps | undefined,
  resource: ProtectedResourceProps | undefined,
): Record<string, string> {
  if (dpop === undefined) return {};
  const env: Record<string, string> = {};
  if (dpop.requiredIssuers !== undefined) {
    if (dpop.requiredIssuers.length === 0 || dpop.requiredIssuers.some((i) => i === '' || i.includes(','))) {
      invalidProp(
        path,
        'dpop.requiredIssuers',
        `must list issuers without commas, or ['*']; got ${JSON.stringify(dpop.requiredIssuers)}`,
        'Leave it out to accept bearer tokens too.',
      );
    }
    env.DPOP_REQUIRED_ISSUERS = dpop.requiredIssuers.join(',');
  }
  if (dpop.proofMaxAge !== undefined) {
    const seconds = dpop.proofMaxAge.toSeconds();
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 300) {
      invalidProp(
        path,
        'dpop.proofMaxAge',
        `must be 1 to 300 whole seconds; got ${seconds}`,
        'Use Duration.minutes(1).',
      );
    }
    env.DPOP_PROOF_MAX_AGE_SECONDS = String(seconds);
  }
  if (dpop.replayTable !== undefined) env.DPOP_REPLAY_TABLE = dpop.replayTable.tableName;
  if (dpop.nonces === true) {
    if (dpop.replayTable === undefined) {
      invalidProp(
        path,
        'dpop.nonces',
        'needs dpop.replayTable: every Lambda instance signs and checks nonces with one key, an item of that table',
        'Give dpop.replayTable a table with REVOCATION_TABLE_SCHEMA (its own, not the revocation table).',
      );
    }
    env.DPOP_NONCES = 'true';
    // The authorizer words its 403s itself with nonces on, naming the metadata URL as the static 401 does.
    if (resource !== undefined) env.RESOURCE_METADATA_URL = protectedResourceMetadataUrl(resource.resource);
  }
  return env;
}

/**
 * With DPoP the result cache is off: a cached Allow would be served for a replayed proof (the cache key
 * cannot hold the proof's jti, and a key that held it would answer its replay from the cache). An explicit
 * non-zero `resultsCacheTtl` is a contradiction, refused.
 */
export function dpopCacheTtl(
  path: string,
  dpop: DpopProps | undefined,
  resultsCacheTtl: Duration | undefined,
): Duration | undefined {
  if (dpop === undefined) return undefined;
  if (resultsCacheTtl !== undefined && resultsCacheTtl.toSeconds() !== 0) {
    invalidProp(
      path,
      'resultsCacheTtl',
      `must be Duration.seconds(0) with dpop (a cached policy would accept a replayed proof); got ${resultsCacheTtl.toSeconds()} s`,
      'Leave resultsCacheTtl out with dpop.',
    );
  }
  return Duration.seconds(0);
}

/**
 * Grants what the replay check needs: one conditional put; with nonces, the consistent read of the nonce key's
 * item too. Nothing else.
 */
export function grantDpop(dpop: DpopProps | undefined, fn: IFunction): void {
  if (dpop?.replayTable === undefined) return;
  dpop.replayTable.grant(
    fn,
    ...(dpop.nonces === true ? ['dynamodb:PutItem', 'dynamodb:GetItem'] : ['dynamodb:PutItem']),
  );
  dpop.replayTable.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*');
}

/** The gateway-response options DPoP and the metadata add (challenges, CORS header). */
export function senderConstraintResponseOptions(
  path: string,
  dpop: DpopProps | undefined,
  resource: ProtectedResourceProps | undefined,
): Pick<GatewayResponseOptions, 'dpop' | 'dpopRequired' | 'dpopNonces' | 'resourceMetadataUrl'> {
  let resourceMetadataUrl: string | undefined;
  if (resource !== undefined) {
    try {
      resourceMetadataUrl = protectedResourceMetadataUrl(resource.resource);
    } catch (error) {
      invalidProp(
        path,
        'protectedResource.resource',
        (error as Error).message,
        'Use the https URL clients call.',
      );
    }
    // RFC 9728 §3.1 puts the metadata before the path, and execute-api's URLs begin with the stage: the
    // metadata URL of an execute-api resource reaches no stage at all.
    if (/\.execute-api\.[^.]+\.amazonaws\.com$/i.test(new URL(resource.resource).hostname)) {
      invalidProp(
        path,
        'protectedResource.resource',
        `is an execute-api URL, whose RFC 9728 metadata URL (${resourceMetadataUrl}) no stage can serve; got "${resource.resource}"`,
        'Use a custom domain mapped to this API with an empty base path.',
      );
    }
  }
  return {
    ...(dpop === undefined ? {} : { dpop: true, dpopRequired: dpop.requiredIssuers?.includes('*') === true }),
    ...(dpop?.nonces === true ? { dpopNonces: true } : {}),
    ...(resourceMetadataUrl === undefined ? {} : { resourceMetadataUrl }),
  };
}

/**
 * `GET <RFC 9728 path>` on the API: a mock integration answering the metadata, no authorizer (RFC 9728 §3:
 * clients read it before they hold a token). The scopes come from the route table, known at synth.
 */
export function addProtectedResourceMetadata(
  api: apigw.IRestApi,
  resource: ProtectedResourceProps,
  options: { issuers: () => string[]; routes: () => readonly RouteRule[]; dpop: DpopProps | undefined },
): apigw.Method {
  const path = protectedResourceMetadataPath(resource.resource);
  const document = Lazy.string({
    produce: () =>
      JSON.stringify(
        protectedResourceMetadata({
          resource: resource.resource,
          authorizationServers: resource.authorizationServers ?? options.issuers(),
          scopes: options.routes().flatMap((r) => r.scopes),
          dpop: options.dpop !== undefined,
          dpopRequired: options.dpop?.requiredIssuers?.includes('*') === true,
        }),
      ),
  });
  return api.root.resourceForPath(path).addMethod(
    'GET',
    new apigw.MockIntegration({
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      integrationResponses: [
        {
          statusCode: '200',
          responseParameters: { 'method.response.header.Cache-Control': "'max-age=300'" },
          responseTemplates: { 'application/json': document },
        },
      ],
    }),
    {
      authorizationType: apigw.AuthorizationType.NONE,
      methodResponses: [
        { statusCode: '200', responseParameters: { 'method.response.header.Cache-Control': true } },
      ],
    },
  );
}
