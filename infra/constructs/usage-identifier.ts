// JwtAuthorizer's `usageIdentifierClaim`: the claim checked at synth with the authorizer's own parser, and the
// REST API's API key source set to AUTHORIZER, so usage plans meter and throttle by what the authorizer returns.
import { Annotations, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { parseClaimPath } from '../../lambda/authorizer/claim-path';
import { InfraConfigError } from './errors';

const FIX =
  'Name the claim that identifies the API client, e.g. "client_id" (Cognito, Okta), "azp" (Auth0, Entra ID); ' +
  'a dotted path reaches a nested claim, and \\. is a literal dot.';

/** The claim name, checked as the Lambda's USAGE_IDENTIFIER_CLAIM will be; errors name the construct and prop. */
export function usageIdentifierClaim(scope: Construct, claim: string): string {
  const invalid = (problem: string): never => {
    throw new InfraConfigError(
      'INVALID_PROP',
      'usageIdentifierClaim',
      `${scope.node.path}: JwtAuthorizer usageIdentifierClaim ${problem}. ${FIX}`,
    );
  };
  if (Token.isUnresolved(claim)) invalid('must be a literal claim name, not a token');
  parseClaimPath(claim, (problem) => invalid(`${problem}; got ${JSON.stringify(claim)}`));
  return claim;
}

/**
 * Makes `api` take its API keys from the authorizer (ApiKeySourceType AUTHORIZER). An API created with
 * another key source fails synth, since the usage identifier would be ignored; an imported one cannot be
 * changed here, and gets a warning.
 */
export function useAuthorizerKeySource(scope: Construct, api: apigw.IRestApi): void {
  const cfn = api.node.defaultChild;
  if (!(cfn instanceof apigw.CfnRestApi)) {
    Annotations.of(scope).addWarningV2(
      'bearer-gate:api-key-source',
      `usageIdentifierClaim is set, but the REST API ${api.node.path} is not defined in this app, so its API key ` +
        'source cannot be set here: set it to AUTHORIZER where the API is defined, or usage plans never see ' +
        "the authorizer's usageIdentifierKey.",
    );
    return;
  }
  if (cfn.apiKeySourceType === undefined) {
    cfn.apiKeySourceType = apigw.ApiKeySourceType.AUTHORIZER;
  } else if (cfn.apiKeySourceType !== apigw.ApiKeySourceType.AUTHORIZER) {
    throw new InfraConfigError(
      'INVALID_PROP',
      'usageIdentifierClaim',
      `${scope.node.path}: JwtAuthorizer usageIdentifierClaim needs the REST API ${api.node.path} to take its ` +
        `API keys from the authorizer, but its apiKeySourceType is ${String(cfn.apiKeySourceType)}. Leave ` +
        'apiKeySourceType out (the construct sets AUTHORIZER), or set apigw.ApiKeySourceType.AUTHORIZER.',
    );
  }
}
