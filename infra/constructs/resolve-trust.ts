// The trusted issuers and their keys, resolved: each issuer bound (it checks its own arguments), the rules
// across issuers (one user pool, no issuer twice, which one travels in the ISSUER variables), and the JWKS seed
// checked against them. Part of resolveProps (resolve-props.ts).
import { Fn, Token } from 'aws-cdk-lib';
import type { SeedTrust } from '../../lambda/authorizer/jwks-seed';
import {
  cognitoIssuers,
  cognitoJwksUri,
  type CognitoSettings,
  type IssuerSettings,
} from '../../lambda/contract/authorizer-settings';
import { Issuer, type BoundIssuer } from './issuer';
import { renderJwksSeed, type JwksSeed } from './jwks-seed';
import { commaSafeClaims, durationSeconds, show, type PropProblems } from './prop-checks';
import type { JwtAuthorizerProps } from './props';

/** A seed is trusted without its issuer for 1 minute to 90 days. */
const SEED_MAX_AGE_RANGE = [60, 90 * 86400] as const;

/** The trusted issuers as the Lambda's settings: one through ISSUER/AUDIENCE/..., the others as ISSUERS. */
export interface ResolvedTrust {
  /** Rendered as ISSUER, AUDIENCE, JWKS_URI and the claim variables: the one whose audience may be a list token. */
  readonly variables?: IssuerSettings;
  /** Rendered as the ISSUERS JSON. */
  readonly json: readonly IssuerSettings[];
  readonly cognito?: CognitoSettings;
}

/** The key material the code asset carries. */
export interface ResolvedKeys {
  /** The seed file's text (checked against the trusted issuers), and its max age. */
  readonly jwksSeed?: { readonly text: string; readonly maxAgeSeconds?: number };
  /** The trusted CA file's text. */
  readonly trustedCertificates?: string;
}

/** A synth warning found while resolving, added once the props are known to be valid. */
export interface SynthWarning {
  readonly id: string;
  readonly message: string;
}

export function resolveTrust(
  p: PropProblems,
  issuers: readonly Issuer[] | undefined,
  warn: (id: string, message: string) => void,
): ResolvedTrust {
  const example = "Pass issuers: [Issuer.oidc('https://example.eu.auth0.com/', { audience: [...] })].";
  if (!Array.isArray(issuers) || issuers.length === 0) {
    p.add(
      'issuers',
      `must list at least one issuer; got ${Array.isArray(issuers) ? '[]' : show(issuers)}`,
      example,
    );
    return { json: [] };
  }
  const bound: Array<{ at: string; issuer: BoundIssuer }> = [];
  issuers.forEach((issuer, i) => {
    const at = `issuers[${i}]`;
    if (issuer instanceof Issuer) bound.push({ at, issuer: issuer._bind(p, at, warn) });
    else p.add(at, `must be made by Issuer.oidc() or Issuer.cognito(); got ${show(issuer)}`, example);
  });

  const seen = new Map<string, string>();
  const oidc: Array<{ at: string; issuer: Extract<BoundIssuer, { kind: 'oidc' }> }> = [];
  let cognito: { at: string; settings: CognitoSettings } | undefined;
  for (const { at, issuer } of bound) {
    if (issuer.kind === 'cognito') {
      if (cognito === undefined) cognito = { at, settings: issuer.settings };
      else {
        p.add(
          at,
          `is a second Cognito user pool (${cognito.at} is one); an authorizer trusts at most one`,
          'Use one JwtAuthorizer per user pool, or trust the other pool with Issuer.oidc(<its issuer URL>, ...).',
        );
      }
      continue;
    }
    const name = issuer.settings.issuer;
    const first = seen.get(name);
    if (first !== undefined && !Token.isUnresolved(name)) {
      p.add(
        `${at}.issuer`,
        `repeats ${show(name)} (${first})`,
        'Trust each issuer once, with all its audiences.',
      );
    }
    seen.set(name, at);
    oidc.push({ at, issuer });
  }

  // The one issuer rendered as variables: a list-token audience can travel only in AUDIENCE (CloudFormation
  // joins it); otherwise the first whose claim names fit comma-separated variables.
  const withListToken = oidc.filter((o) => o.issuer.listTokenAudience);
  for (const extra of withListToken.slice(1)) {
    p.add(
      `${extra.at}.audience`,
      `is a list token (a CfnParameter's valueAsList, Fn.split()), as ${withListToken[0]!.at}.audience is; ` +
        'only one issuer of an authorizer may take its audience from one',
      'Give the other issuers literal audiences, or use one authorizer per parameterised issuer.',
    );
  }
  const variables = withListToken[0] ?? oidc.find((o) => commaSafeClaims(o.issuer.settings));
  if (variables?.issuer.listTokenAudience === true && !commaSafeClaims(variables.issuer.settings)) {
    p.add(
      variables.at,
      'has a claim name with a comma and an audience that is a list token; its settings travel in ' +
        'comma-separated variables',
      'Use claim names without commas, or a literal audience list.',
    );
  }
  return {
    ...(variables === undefined ? {} : { variables: variables.issuer.settings }),
    json: oidc.filter((o) => o !== variables).map((o) => o.issuer.settings),
    ...(cognito === undefined ? {} : { cognito: cognito.settings }),
  };
}

/**
 * A user pool's issuer (the regional form the Lambda fetches keys for). The region is the pool id's prefix;
 * for a pool id that is a token (a pool of this app, a parameter) CloudFormation takes it apart at deploy.
 */
export function cognitoIssuer(poolId: string): string {
  const region = Token.isUnresolved(poolId) ? Fn.select(0, Fn.split('_', poolId)) : poolId.split('_')[0]!;
  return cognitoIssuers(poolId, region).regional;
}

/** The JWKS seed (checked against the trusted issuers) and the trusted CA file, as the code asset carries them. */
export function resolveKeys(
  p: PropProblems,
  props: Partial<JwtAuthorizerProps>,
  trust: ResolvedTrust,
  warnings: SynthWarning[],
): ResolvedKeys {
  const keys: { jwksSeed?: ResolvedKeys['jwksSeed']; trustedCertificates?: string } = {};
  if (props.jwksSeed !== undefined) keys.jwksSeed = resolveSeed(p, props.jwksSeed, trust, warnings);
  if (props.trustedCertificates !== undefined) {
    p.addAll(props.trustedCertificates._problems);
    keys.trustedCertificates = props.trustedCertificates.pem;
  }
  return keys;
}

/**
 * The seed, checked: every entry for an issuer the authorizer trusts, public keys only. The Lambda learns only
 * the file's name (JWKS_SEED_FILE) and the max age.
 */
function resolveSeed(
  p: PropProblems,
  seed: JwksSeed,
  trust: ResolvedTrust,
  warnings: SynthWarning[],
): NonNullable<ResolvedKeys['jwksSeed']> {
  // A jwksUri that is not a URL was reported with its issuer; the seed is compared with it as written.
  const normalized = (uri: string | undefined): string | null =>
    uri === undefined ? null : Token.isUnresolved(uri) || !URL.canParse(uri) ? uri : new URL(uri).href;
  const oidc = [...(trust.variables === undefined ? [] : [trust.variables]), ...trust.json];
  const trusted: SeedTrust[] = oidc.map((i) => ({ issuer: i.issuer, jwksUri: normalized(i.jwksUri) }));
  const poolId = trust.cognito?.userPoolId;
  if (poolId !== undefined && !Token.isUnresolved(poolId)) {
    const issuer = cognitoIssuer(poolId);
    trusted.push({ issuer, jwksUri: cognitoJwksUri(issuer) });
  }
  // An issuer given as a token cannot be compared at synth; the Lambda checks the seed again at init.
  const literal = trusted.every((t) => !Token.isUnresolved(t.issuer) && !Token.isUnresolved(t.jwksUri ?? ''));
  const unresolvedPool = poolId !== undefined && Token.isUnresolved(poolId);
  const text = renderJwksSeed(seed, literal ? trusted : null, unresolvedPool, p);
  if (seed.entries.some((e) => e.fetchedAt === null)) {
    warnings.push({
      id: 'bearer-gate:jwks-seed-undated',
      message:
        'jwksSeed has entries without fetchedAt: their age counts from each cold start, so maxAge cannot bound ' +
        'how long a key the issuer withdrew keeps serving while the issuer is unreachable. Write the seed ' +
        'with `npx bearer-gate-jwks-seed`, which records fetchedAt.',
    });
  }
  if (seed.options.maxAge === undefined) return { text };
  const maxAgeSeconds = durationSeconds(
    p,
    'jwksSeed maxAge',
    seed.options.maxAge,
    SEED_MAX_AGE_RANGE,
    'Use from Duration.minutes(1) to Duration.days(90); the seed is trusted that long without the issuer.',
  );
  return { text, maxAgeSeconds };
}
