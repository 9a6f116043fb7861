// The construct's mutualTls prop (RFC 8705 certificate-bound tokens): a REQUEST authorizer with its cache off
// (a cached Allow would answer another client certificate), and a synth error for a custom domain created
// without mutual TLS (API Gateway would pass no certificate). AWS itself is not reached: synth only.
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Issuer, JwtAuthorizer, type JwtAuthorizerProps } from '../../infra/constructs';
import { fastApp, synthError } from './synth-context';

const ISSUER = 'https://issuer.example.com/';
const ROUTES = [{ method: 'GET', path: '/orders', scopes: ['orders:read'] }] as const;

function build(props: Partial<JwtAuthorizerProps>, withMtls = true) {
  const stack = new Stack(fastApp(), 'Test');
  const api = new apigw.RestApi(stack, 'Api', { deploy: false, disableExecuteApiEndpoint: true });
  const truststore = new s3.Bucket(stack, 'Truststore');
  const domainName = new apigw.DomainName(stack, 'Domain', {
    domainName: 'api.example.com',
    certificate: acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
    ),
    endpointType: apigw.EndpointType.REGIONAL,
    securityPolicy: apigw.SecurityPolicy.TLS_1_2,
    ...(withMtls ? { mtls: { bucket: truststore, key: 'truststore.pem' } } : {}),
  });
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [Issuer.oidc(ISSUER, { audience: ['https://api.example.com'] })],
    mutualTls: { domainName },
    ...props,
  });
  jwt.addRoutes(api, [...ROUTES], () => new apigw.MockIntegration());
  return { stack, jwt, template: () => Template.fromStack(stack) };
}

test('mutualTls makes a REQUEST authorizer with the result cache off', () => {
  const { template, jwt } = build({});
  template().hasResourceProperties('AWS::ApiGateway::Authorizer', {
    Type: 'REQUEST',
    AuthorizerResultTtlInSeconds: 0,
  });
  expect(jwt.resultsCacheTtl.toSeconds()).toBe(0);
  template().hasResourceProperties('AWS::ApiGateway::DomainName', {
    MutualTlsAuthentication: {
      TruststoreUri: {
        'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^Truststore') }, '/truststore.pem']],
      },
    },
  });
});

test.each<[string, () => unknown, string]>([
  [
    'a domain without mutual TLS',
    () => build({}, false),
    'Test/Jwt: mutualTls.domainName (Test/Domain) has no mutual TLS: API Gateway would pass no client certificate. ' +
      "Create the DomainName with mtls: { bucket, key } naming the truststore's PEM bundle in S3.",
  ],
  [
    'a non-zero cache TTL',
    () => build({ resultsCacheTtl: Duration.minutes(5) }),
    'Test/Jwt: resultsCacheTtl must be Duration.seconds(0) with mutualTls (a cached policy would answer another client certificate); got 300 s. Leave resultsCacheTtl out with mutualTls.',
  ],
])('%s is refused, naming the prop and the fix', (_name, make, message) => {
  expect(synthError(make).message).toContain(message);
});

test('sender-constraint problems are reported with every other problem, one line each, naming the path and the prop', () => {
  const error = synthError(() =>
    build(
      {
        memorySize: 64,
        resultsCacheTtl: Duration.minutes(5),
        dpop: { requiredIssuers: ['a,b'], proofMaxAge: Duration.minutes(10) },
        protectedResource: { resource: 'https://abc123.execute-api.us-east-1.amazonaws.com/prod' },
      },
      false,
    ),
  );
  expect([error.code, error.subject, ...error.message.split('\n')]).toEqual([
    'INVALID_PROP',
    'resultsCacheTtl',
    'Test/Jwt: resultsCacheTtl must be Duration.seconds(0) with dpop (a cached policy would accept a replayed proof); got 300 s. Leave resultsCacheTtl out with dpop.',
    'Test/Jwt: mutualTls.domainName (Test/Domain) has no mutual TLS: API Gateway would pass no client certificate. ' +
      "Create the DomainName with mtls: { bucket, key } naming the truststore's PEM bundle in S3.",
    'Test/Jwt: protectedResource.resource is an execute-api URL, whose RFC 9728 metadata URL ' +
      '(https://abc123.execute-api.us-east-1.amazonaws.com/.well-known/oauth-protected-resource/prod) no stage ' +
      'can serve; got "https://abc123.execute-api.us-east-1.amazonaws.com/prod". Use a custom domain mapped to ' +
      'this API with an empty base path.',
    'Test/Jwt: dpop.requiredIssuers[0] must be non-empty and contain no commas; got "a,b". List issuers ' +
      "(their exact iss), or ['*'] for all; leave it out to accept bearer tokens too.",
    'Test/Jwt: dpop.proofMaxAge must be a whole number of seconds from 1 to 300; got 600 seconds. Use Duration.minutes(1).',
    'Test/Jwt: memorySize must be a whole number from 128 to 10240; got 64. Lambda accepts 128 to 10240 MiB.',
  ]);
});

test('with protectedResource, the metadata says certificate-bound tokens are supported (RFC 9728 §2)', () => {
  const { template } = build({ protectedResource: { resource: 'https://api.example.com/v1' } });
  const methods = Object.values(
    template().findResources('AWS::ApiGateway::Method', {
      Properties: { AuthorizationType: 'NONE', HttpMethod: 'GET' },
    }),
  ) as {
    Properties: { Integration: { IntegrationResponses: { ResponseTemplates: Record<string, string> }[] } };
  }[];
  expect(methods).toHaveLength(1);
  const document = JSON.parse(
    methods[0]?.Properties.Integration.IntegrationResponses[0]?.ResponseTemplates['application/json'] ?? '',
  ) as Record<string, unknown>;
  expect(document).toEqual({
    resource: 'https://api.example.com/v1',
    authorization_servers: [ISSUER],
    scopes_supported: ['orders:read'],
    bearer_methods_supported: ['header'],
    tls_client_certificate_bound_access_tokens: true,
  });
});

test('synth warns that every request invokes the Lambda (the cache is off), bearer tokens included', () => {
  const { stack, template } = build({});
  template();
  const warnings = Annotations.fromStack(stack).findWarning('/Test/Jwt', Match.anyValue());
  expect(warnings.map((w) => String(w.entry.data))).toEqual([
    'JwtAuthorizer invokes its Lambda for every request: with mutualTls its result cache is off (a cached policy ' +
      'would answer a replayed proof or another client certificate). Bearer tokens on the same authorizer pay ' +
      'this too; give them an authorizer of their own if the invocations matter. ' +
      '[ack: bearer-gate:sender-constrained-no-cache]',
  ]);
});
