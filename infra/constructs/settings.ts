// Resolved props to the Lambda's settings (lambda/contract/authorizer-settings.ts renders them): a mapping
// only, every check is resolveProps'. The route table is added at synth, once every route is recorded.
import { Fn } from 'aws-cdk-lib';
import type { AuthorizerSettings, IssuerSettings } from '../../lambda/contract/authorizer-settings';
import { isListToken } from './prop-checks';
import type { ResolvedProps } from './resolve-props';
import { dpopSettings } from './sender-constraint';

/** The settings without the route table. */
export type SettingsWithoutRoutes = Omit<AuthorizerSettings, 'routes'>;

/**
 * A list token (a CfnParameter's valueAsList) as one entry that CloudFormation joins with commas: the
 * variable it travels in is comma-separated, so the Lambda reads the same list.
 */
function joinedList(list: readonly string[]): readonly string[] {
  return isListToken(list) ? [Fn.join(',', [...list])] : list;
}

function variablesIssuer(issuer: IssuerSettings): IssuerSettings {
  return { ...issuer, audience: joinedList(issuer.audience) };
}

export function authorizerSettings(resolved: ResolvedProps): SettingsWithoutRoutes {
  const { trust } = resolved;
  return {
    logLevel: resolved.logLevel,
    metricsNamespace: resolved.monitoring.metricsNamespace,
    serviceName: resolved.monitoring.serviceName,
    ...(trust.variables === undefined ? {} : { issuer: variablesIssuer(trust.variables) }),
    ...(trust.json.length === 0 ? {} : { issuers: trust.json }),
    ...(trust.cognito === undefined ? {} : { cognito: trust.cognito }),
    ...(resolved.tokenTypes === undefined ? {} : { tokenTypes: joinedList(resolved.tokenTypes) }),
    ...(resolved.clockSkewSeconds === undefined ? {} : { clockSkewSeconds: resolved.clockSkewSeconds }),
    ...(resolved.maxTokenBytes === undefined ? {} : { maxTokenBytes: resolved.maxTokenBytes }),
    ...(resolved.revocation === undefined
      ? {}
      : {
          revocation: {
            tableName: resolved.revocation.table.tableName,
            requireJti: resolved.revocation.requireJti,
          },
        }),
    ...(resolved.jwksSeed === undefined ? {} : { jwksSeed: resolved.jwksSeed }),
    ...(resolved.jwksWarmUp === undefined ? {} : { jwksWarmUp: resolved.jwksWarmUp }),
    ...(resolved.trustedCertificates === undefined
      ? {}
      : { trustedCertificates: resolved.trustedCertificates }),
    ...(resolved.usageIdentifierClaim === undefined
      ? {}
      : { usageIdentifierClaim: resolved.usageIdentifierClaim }),
    ...(resolved.dpop === undefined ? {} : { dpop: dpopSettings(resolved.dpop, resolved.protectedResource) }),
  };
}
