// Issuer: one token issuer a JwtAuthorizer trusts, made by a factory per kind (an OIDC issuer, a Cognito user
// pool). Each kind checks its own arguments when the construct binds it, so every problem names the
// construct's path and the issuer's place in `issuers`.
import { Token } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type { CognitoSettings, IssuerSettings } from '../../lambda/contract/authorizer-settings';
import { issuerFormMismatch } from './issuer-forms';
import {
  claimRules,
  commaSafeList,
  httpsUrl,
  isListToken,
  issuerId,
  show,
  type PropProblems,
} from './prop-checks';

/**
 * What an issuer's claims mean beyond the standard checks. A claim name may be a dotted path into nested
 * claims (`realm_access.roles`); `\\.` in a name is a literal dot (`https://example\\.com/roles`).
 */
export interface IssuerClaimsOptions {
  /**
   * Claims whose values grant permissions, exactly as `scope` and `scp` grant scopes for the route table:
   * a space-delimited string or an array of strings, e.g. `['roles']` for Entra ID app-only tokens,
   * `['realm_access.roles']` for Keycloak, `['permissions']` for Auth0 RBAC. `scope` and `scp` always count.
   * @default - only `scope` and `scp` grant permissions
   */
  readonly permissionClaims?: string[];
  /**
   * Claims a token must carry with one of the given values (a string, number or boolean, or a list of
   * accepted ones), e.g. `{ email_verified: true, tid: '<tenant id>' }`. A token without one is refused
   * (401, MISSING_REQUIRED_CLAIM), and one with another value too (401, WRONG_CLAIM_VALUE). Numbers compare
   * exactly; an integer beyond ±9007199254740991, which JavaScript has already rounded, fails the synth.
   * @default - no claims are required beyond the standard checks
   */
  readonly requiredClaims?: {
    [claim: string]: string | number | boolean | Array<string | number | boolean>;
  };
  /**
   * Claims copied into the authorizer context for integrations, under a key with every character but
   * letters, digits and `_` made `_` (`cognito:groups` becomes `$context.authorizer.cognito_groups`).
   * Strings, numbers and booleans are copied as they are (a number beyond ±9007199254740991, or one a double
   * does not hold, as a string of its JSON text), arrays of strings without spaces joined with a space;
   * other shapes are left out.
   * @default - no claims are copied besides the built-in context
   */
  readonly contextClaims?: string[];
}

/** An OpenID Connect / OAuth 2.0 issuer of JWT access tokens (Auth0, Okta, Entra ID, Keycloak, ...). */
export interface OidcIssuerOptions extends IssuerClaimsOptions {
  /**
   * Accepted audiences; a token's `aud` must contain one of them. A list token (a CfnParameter's
   * `valueAsList`) is accepted for one issuer of an authorizer: its entries are resolved at deploy time.
   */
  readonly audience: string[];
  /**
   * Where the issuer publishes its signing keys (https only).
   * @default - the `jwks_uri` of `<issuer>/.well-known/openid-configuration`, read by the Lambda once per
   * cold start (OIDC discovery; its `issuer` must equal the issuer exactly)
   */
  readonly jwksUri?: string;
}

/** A Cognito user pool: its access tokens (`token_use` must be `access`) of the given app clients. */
export interface CognitoIssuerOptions extends IssuerClaimsOptions {
  /** The app clients whose access tokens are accepted (their `client_id`). */
  readonly clients: cognito.IUserPoolClient[];
  /**
   * The resource server whose custom scopes the routes require. Cognito writes them as
   * `<identifier>/<scope>`; the authorizer then also counts `items-api/items:read` as `items:read`, the name
   * the route table uses (COGNITO_SCOPE_PREFIX).
   * @default - scopes must match the route table's names exactly
   */
  readonly resourceServer?: cognito.IUserPoolResourceServer;
  /**
   * User pool groups grant permissions, as scopes do: adds `cognito:groups` to `permissionClaims`. Name the
   * groups after the route table's scopes (e.g. `items:read`).
   * @default false
   */
  readonly groupsAsPermissions?: boolean;
}

/** An issuer as the construct renders it: the Lambda's settings for it, and what the rules across issuers need. */
export type BoundIssuer =
  | {
      readonly kind: 'oidc';
      readonly settings: IssuerSettings;
      /** Its audience is one list token (it can travel only in AUDIENCE, which CloudFormation joins). */
      readonly listTokenAudience: boolean;
    }
  | {
      readonly kind: 'cognito';
      readonly settings: CognitoSettings;
    };

/** Receives a synth warning about one issuer (an identifier whose form its provider does not write). */
export type IssuerWarning = (id: string, message: string) => void;

/**
 * A token issuer to trust. An authorizer trusts a list of them (`issuers`): tokens from any one pass.
 *
 * @example
 * new JwtAuthorizer(this, 'Jwt', {
 *   issuers: [Issuer.oidc('https://example.eu.auth0.com/', { audience: ['https://api.example.com'] })],
 * });
 */
export abstract class Issuer {
  /**
   * An OIDC / OAuth 2.0 issuer.
   * @param issuer the exact `iss` claim, e.g. `https://example.eu.auth0.com/` (Auth0 writes it with a
   * trailing slash, Okta and Entra ID v2 without)
   */
  static oidc(issuer: string, options: OidcIssuerOptions): Issuer {
    return new OidcIssuer(issuer, options);
  }

  /** A Cognito user pool's access tokens, of the given app clients. */
  static cognito(userPool: cognito.IUserPool, options: CognitoIssuerOptions): Issuer {
    return new CognitoIssuer(userPool, options);
  }

  /**
   * Checks the arguments (problems named after `at`, e.g. `issuers[0]`) and returns the Lambda's settings.
   * @internal
   */
  abstract _bind(p: PropProblems, at: string, warn: IssuerWarning): BoundIssuer;
}

class OidcIssuer extends Issuer {
  constructor(
    private readonly issuer: string,
    private readonly options: OidcIssuerOptions,
  ) {
    super();
  }

  override _bind(p: PropProblems, at: string, warn: IssuerWarning): BoundIssuer {
    const { audience, jwksUri } = this.options ?? {};
    const issuer = issuerId(p, `${at}.issuer`, this.issuer ?? '');
    if (jwksUri === undefined) {
      httpsUrl(p, `${at}.issuer`, issuer, 'Use the https issuer URL, or pass jwksUri explicitly.');
    } else {
      httpsUrl(p, `${at}.jwksUri`, jwksUri, "Use the https URL of the issuer's JWKS.");
    }
    const fix = "Pass the API's identifier, e.g. ['https://api.example.com'].";
    let listTokenAudience = false;
    if (!Array.isArray(audience)) {
      p.add(`${at}.audience`, `is required; got ${show(audience)}`, fix);
    } else if (isListToken(audience)) {
      listTokenAudience = true;
    } else {
      commaSafeList(p, `${at}.audience`, audience, fix);
    }
    if (!Token.isUnresolved(issuer)) {
      const mismatch = issuerFormMismatch(issuer);
      if (mismatch !== undefined) {
        warn(
          'bearer-gate:issuer-form',
          `${at}.issuer is ${show(issuer)}, but ${mismatch.provider} writes its \`iss\` as ` +
            `${show(mismatch.expected)}: the authorizer compares \`iss\` (and OIDC discovery's \`issuer\`) ` +
            `exactly, so it would refuse every token (WRONG_ISSUER, or 503 when discovery finds the other ` +
            `form). Pass ${show(mismatch.expected)}.`,
        );
      }
    }
    return {
      kind: 'oidc',
      listTokenAudience,
      settings: {
        issuer,
        audience: Array.isArray(audience) ? [...audience] : [],
        ...(jwksUri === undefined ? {} : { jwksUri }),
        ...claimRules(p, at, this.options ?? {}),
      },
    };
  }
}

class CognitoIssuer extends Issuer {
  constructor(
    private readonly userPool: cognito.IUserPool,
    private readonly options: CognitoIssuerOptions,
  ) {
    super();
  }

  override _bind(p: PropProblems, at: string): BoundIssuer {
    const { clients, resourceServer, groupsAsPermissions } = this.options ?? {};
    if (!Array.isArray(clients) || clients.length === 0) {
      p.add(
        `${at}.clients`,
        `must list at least one app client; got ${Array.isArray(clients) ? '[]' : show(clients)}`,
        'Pass the app clients whose access tokens the API accepts.',
      );
    }
    const rules = claimRules(p, at, this.options ?? {});
    // The Cognito variables (COGNITO_PERMISSION_CLAIMS, ...) are comma-separated; there is no JSON form.
    for (const prop of ['permissionClaims', 'contextClaims'] as const) {
      rules[prop]?.forEach((name, i) => {
        if (name.includes(',')) {
          p.add(
            `${at}.${prop}[${i}]`,
            `contains a comma, which a Cognito issuer's claim list cannot carry; got ${show(name)}`,
            'Use a claim name without a comma.',
          );
        }
      });
    }
    const permissionClaims = new Set([
      ...(groupsAsPermissions === true ? ['cognito:groups'] : []),
      ...(rules.permissionClaims ?? []),
    ]);
    return {
      kind: 'cognito',
      settings: {
        userPoolId: this.userPool.userPoolId,
        clientIds: (Array.isArray(clients) ? clients : []).map((c) => c.userPoolClientId),
        ...(resourceServer === undefined
          ? {}
          : { scopePrefix: `${resourceServer.userPoolResourceServerId}/` }),
        ...rules,
        ...(permissionClaims.size > 0 ? { permissionClaims: [...permissionClaims] } : {}),
      },
    };
  }
}
