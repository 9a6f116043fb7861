// JwtAuthorizer's usageIdentifierClaim at synth: the Lambda's USAGE_IDENTIFIER_CLAIM, the REST API's key
// source set to AUTHORIZER (and left alone without the prop), an API with another key source refused, an
// imported one warned about, and claim names the authorizer would refuse at init refused here.
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Issuer, JwtAuthorizer, type JwtAuthorizerProps } from '../../infra/constructs';
import { authorizerEnvironment, fastApp, synthError } from './synth-context';

const BASE: JwtAuthorizerProps = {
  issuers: [Issuer.oidc('https://issuer.example.com/', { audience: ['https://api.example.com'] })],
};
const ROUTE = { method: 'GET', path: '/orders', scopes: ['orders:read'] } as const;

function synth(
  props: Partial<JwtAuthorizerProps>,
  apiProps: apigw.RestApiProps = {},
): { stack: Stack; template: Template } {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false, ...apiProps });
  new JwtAuthorizer(stack, 'Jwt', { ...BASE, ...props }).addRoutes(
    api,
    [ROUTE],
    () => new apigw.MockIntegration(),
    () => ({
      apiKeyRequired: true,
    }),
  );
  return { stack, template: Template.fromStack(stack) };
}

test('the claim reaches the Lambda, and the API takes its keys from the authorizer', () => {
  const { stack, template } = synth({ usageIdentifierClaim: 'client_id' });
  expect(authorizerEnvironment(stack).USAGE_IDENTIFIER_CLAIM).toBe('client_id');
  template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
  template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', ApiKeyRequired: true });
});

test('an API that already says AUTHORIZER is fine', () => {
  const { template } = synth(
    { usageIdentifierClaim: 'azp' },
    { apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER },
  );
  template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
});

test('without the prop, neither the variable nor the key source is set', () => {
  const { stack, template } = synth({});
  expect(authorizerEnvironment(stack)).not.toHaveProperty('USAGE_IDENTIFIER_CLAIM');
  template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: Match.absent() });
});

test('an API whose keys come from the x-api-key header fails synth, naming both', () => {
  const error = synthError(() =>
    synth({ usageIdentifierClaim: 'client_id' }, { apiKeySourceType: apigw.ApiKeySourceType.HEADER }),
  );
  expect([error.code, error.subject, error.message]).toEqual([
    'INVALID_PROP',
    'usageIdentifierClaim',
    'Test/Jwt: JwtAuthorizer usageIdentifierClaim needs the REST API Test/Api to take its API keys from the ' +
      'authorizer, but its apiKeySourceType is HEADER. Leave apiKeySourceType out (the construct sets ' +
      'AUTHORIZER), or set apigw.ApiKeySourceType.AUTHORIZER.',
  ]);
});

test('an imported API cannot be changed here: a warning says what to set', () => {
  const stack = new Stack(fastApp(), 'Test');
  const api = apigw.RestApi.fromRestApiAttributes(stack, 'Api', {
    restApiId: 'abc123',
    rootResourceId: 'root1',
  });
  new JwtAuthorizer(stack, 'Jwt', { ...BASE, usageIdentifierClaim: 'client_id' }).addRoutes(
    api,
    [ROUTE],
    () => new apigw.MockIntegration(),
  );
  expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([
    expect.objectContaining({
      id: '/Test/Jwt',
      entry: expect.objectContaining({
        data:
          'usageIdentifierClaim is set, but the REST API Test/Api is not defined in this app, so its API key ' +
          'source cannot be set here: set it to AUTHORIZER where the API is defined, or usage plans never see ' +
          "the authorizer's usageIdentifierKey. [ack: bearer-gate:api-key-source]",
      }),
    }),
  ]);
});

test.each<[string, string]>([
  ['', 'is an empty claim name; got ""'],
  [
    'app..id',
    'has an empty segment (a leading, trailing or doubled dot; write \\. for a literal dot); got "app..id"',
  ],
  ['constructor', 'names "constructor", which no claim path may follow; got "constructor"'],
])('the claim %j fails synth, as it would fail the init', (claim, problem) => {
  const error = synthError(() => synth({ usageIdentifierClaim: claim }));
  expect([error.subject, error.message]).toEqual([
    'usageIdentifierClaim',
    `Test/Jwt: JwtAuthorizer usageIdentifierClaim ${problem}. Name the claim that identifies the API client, ` +
      'e.g. "client_id" (Cognito, Okta), "azp" (Auth0, Entra ID); a dotted path reaches a nested claim, and ' +
      '\\. is a literal dot.',
  ]);
});
