// The construct's DPoP (RFC 9449), certificate-bound token (RFC 8705) and protected-resource metadata
// (RFC 9728) options: checked as part of resolveProps, then how they become the Lambda's environment, the
// authorizer's caching, the gateway responses and the metadata route.
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
import type { DpopSettings } from '../../lambda/contract/authorizer-settings';
import type { RouteRule } from '../../lambda/contract/route-rules';
import { commaSafeList, durationSeconds, type PropProblems } from './prop-checks';

/** A proof is accepted 1 to 300 seconds after its `iat`. */
const PROOF_MAX_AGE_RANGE = [1, 300] as const;

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

/** JwtAuthorizer's sender-constraint props (props.ts names them; this module does not import it). */
interface SenderConstraintProps {
  readonly dpop?: DpopProps;
  readonly mutualTls?: MutualTlsProps;
  readonly protectedResource?: ProtectedResourceProps;
}

/** dpop, mutualTls and protectedResource, checked: part of resolveProps (resolve-props.ts). */
export interface ResolvedSenderConstraint {
  readonly dpop?: ResolvedDpop;
  readonly mutualTls?: MutualTlsProps;
  readonly protectedResource?: ResolvedProtectedResource;
}

/** `dpop`, checked: what the Lambda's DPoP variables carry. */
export interface ResolvedDpop {
  readonly requiredIssuers?: readonly string[];
  readonly proofMaxAgeSeconds?: number;
  readonly replayTable?: dynamodb.ITable;
  /** Server nonces (needs replayTable, which holds their key). */
  readonly nonces: boolean;
}

/** `protectedResource`, checked, with the URL its metadata is served at. */
export interface ResolvedProtectedResource extends ProtectedResourceProps {
  readonly metadataUrl: string;
}

/** Why the result cache must be off with each sender constraint: the cache key holds neither proof nor certificate. */
const CACHE_OFF_BECAUSE = {
  dpop: 'a cached policy would accept a replayed proof',
  mutualTls: 'a cached policy would answer another client certificate',
} as const;

/** The props' sender constraints, each problem added to `p`. */
export function resolveSenderConstraint(
  p: PropProblems,
  props: SenderConstraintProps,
): ResolvedSenderConstraint {
  const { dpop, mutualTls, protectedResource } = props;
  if (mutualTls !== undefined) checkMutualTls(p, mutualTls);
  const resource =
    protectedResource === undefined ? undefined : resolveProtectedResource(p, protectedResource);
  return {
    ...(dpop === undefined ? {} : { dpop: resolveDpop(p, dpop) }),
    ...(mutualTls === undefined ? {} : { mutualTls }),
    ...(resource === undefined ? {} : { protectedResource: resource }),
  };
}

/** The sender constraints set, by prop: each needs the REQUEST event and turns the result cache off. */
export function senderConstraints(props: {
  readonly dpop?: unknown;
  readonly mutualTls?: unknown;
}): Array<'dpop' | 'mutualTls'> {
  return (['dpop', 'mutualTls'] as const).filter((prop) => props[prop] !== undefined);
}

/**
 * The result cache TTL in effect with DPoP or mutual TLS: 0, since a cached Allow would be served for a
 * replayed proof or another client certificate (the cache key can hold neither, and a key that held a proof's
 * jti would answer its replay from the cache). An explicit non-zero `resultsCacheTtl` is a contradiction,
 * refused. Undefined without either.
 */
export function senderConstrainedCacheTtl(
  p: PropProblems,
  props: SenderConstraintProps,
  resultsCacheTtlSeconds: number | undefined,
): Duration | undefined {
  const [constraint] = senderConstraints(props);
  if (constraint === undefined) return undefined;
  if (resultsCacheTtlSeconds !== undefined && resultsCacheTtlSeconds !== 0) {
    p.add(
      'resultsCacheTtl',
      `must be Duration.seconds(0) with ${constraint} (${CACHE_OFF_BECAUSE[constraint]}); got ${resultsCacheTtlSeconds} s`,
      `Leave resultsCacheTtl out with ${constraint}.`,
    );
  }
  return Duration.seconds(0);
}

/** A domain without mutual TLS (no truststore URI) passes no certificate. */
function checkMutualTls(p: PropProblems, mutualTls: MutualTlsProps): void {
  const cfn = mutualTls.domainName.node.defaultChild as apigw.CfnDomainName | undefined;
  const truststore = cfn?.mutualTlsAuthentication as
    apigw.CfnDomainName.MutualTlsAuthenticationProperty | undefined;
  if (truststore?.truststoreUri === undefined) {
    p.add(
      'mutualTls.domainName',
      `(${mutualTls.domainName.node.path}) has no mutual TLS: API Gateway would pass no client certificate`,
      "Create the DomainName with mtls: { bucket, key } naming the truststore's PEM bundle in S3.",
    );
  }
}

function resolveDpop(p: PropProblems, dpop: DpopProps): ResolvedDpop {
  const { requiredIssuers, proofMaxAge, replayTable } = dpop;
  const nonces = dpop.nonces === true;
  if (nonces && replayTable === undefined) {
    p.add(
      'dpop.nonces',
      'needs dpop.replayTable: every Lambda instance signs and checks nonces with one key, an item of that table',
      'Give dpop.replayTable a table with REVOCATION_TABLE_SCHEMA (its own, not the revocation table).',
    );
  }
  return {
    nonces,
    ...(requiredIssuers === undefined
      ? {}
      : {
          requiredIssuers: commaSafeList(
            p,
            'dpop.requiredIssuers',
            requiredIssuers,
            "List issuers (their exact iss), or ['*'] for all; leave it out to accept bearer tokens too.",
          ),
        }),
    ...(proofMaxAge === undefined
      ? {}
      : {
          proofMaxAgeSeconds: durationSeconds(
            p,
            'dpop.proofMaxAge',
            proofMaxAge,
            PROOF_MAX_AGE_RANGE,
            'Use Duration.minutes(1).',
          ),
        }),
    ...(replayTable === undefined ? {} : { replayTable }),
  };
}

function resolveProtectedResource(
  p: PropProblems,
  resource: ProtectedResourceProps,
): ResolvedProtectedResource | undefined {
  let metadataUrl: string;
  try {
    metadataUrl = protectedResourceMetadataUrl(resource.resource);
  } catch (error) {
    p.add('protectedResource.resource', (error as Error).message, 'Use the https URL clients call.');
    return undefined;
  }
  // RFC 9728 §3.1 puts the metadata before the path, and execute-api's URLs begin with the stage: the
  // metadata URL of an execute-api resource reaches no stage at all.
  if (/\.execute-api\.[^.]+\.amazonaws\.com$/i.test(new URL(resource.resource).hostname)) {
    p.add(
      'protectedResource.resource',
      `is an execute-api URL, whose RFC 9728 metadata URL (${metadataUrl}) no stage can serve; got "${resource.resource}"`,
      'Use a custom domain mapped to this API with an empty base path.',
    );
  }
  return { ...resource, metadataUrl };
}

/** The Lambda's DPoP settings, which renderAuthorizerSettings turns into its DPOP_* variables. */
export function dpopSettings(
  dpop: ResolvedDpop | undefined,
  resource: ResolvedProtectedResource | undefined,
): DpopSettings | undefined {
  if (dpop === undefined) return undefined;
  return {
    ...(dpop.requiredIssuers === undefined ? {} : { requiredIssuers: dpop.requiredIssuers }),
    ...(dpop.proofMaxAgeSeconds === undefined ? {} : { proofMaxAgeSeconds: dpop.proofMaxAgeSeconds }),
    ...(dpop.replayTable === undefined ? {} : { replayTableName: dpop.replayTable.tableName }),
    // The authorizer words its 403s itself with nonces on, naming the metadata URL as the static 401 does.
    ...(dpop.nonces
      ? { nonces: true, ...(resource === undefined ? {} : { resourceMetadataUrl: resource.metadataUrl }) }
      : {}),
  };
}

/**
 * Grants what the replay check needs: one conditional put; with nonces, the consistent read of the nonce key's
 * item too. Nothing else.
 */
export function grantDpop(dpop: ResolvedDpop | undefined, fn: IFunction): void {
  if (dpop?.replayTable === undefined) return;
  dpop.replayTable.grant(
    fn,
    ...(dpop.nonces === true ? ['dynamodb:PutItem', 'dynamodb:GetItem'] : ['dynamodb:PutItem']),
  );
  dpop.replayTable.encryptionKey?.grant(fn, 'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*');
}

/** Whether every issuer's tokens must be DPoP-bound (`requiredIssuers: ['*']`). */
function dpopRequired(dpop: ResolvedDpop | undefined): boolean {
  return dpop?.requiredIssuers?.includes('*') === true;
}

/** The gateway-response options DPoP and the metadata add (challenges, CORS header). */
export function senderConstraintResponseOptions(
  resolved: ResolvedSenderConstraint,
): Pick<GatewayResponseOptions, 'dpop' | 'dpopRequired' | 'dpopNonces' | 'resourceMetadataUrl'> {
  const { dpop, protectedResource } = resolved;
  return {
    ...(dpop === undefined ? {} : { dpop: true, dpopRequired: dpopRequired(dpop) }),
    ...(dpop?.nonces === true ? { dpopNonces: true } : {}),
    ...(protectedResource === undefined ? {} : { resourceMetadataUrl: protectedResource.metadataUrl }),
  };
}

/**
 * `GET <RFC 9728 path>` on the API: a mock integration answering the metadata, no authorizer (RFC 9728 §3:
 * clients read it before they hold a token). The scopes come from the route table, known at synth.
 */
export function addProtectedResourceMetadata(
  api: apigw.IRestApi,
  resource: ProtectedResourceProps,
  options: {
    issuers: () => string[];
    routes: () => readonly RouteRule[];
    dpop: ResolvedDpop | undefined;
    mutualTls: boolean;
  },
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
          dpopRequired: dpopRequired(options.dpop),
          mutualTls: options.mutualTls,
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
