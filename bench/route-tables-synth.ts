// One fresh process of the route-table bench's synth series (run under tsx): a RestApi whose routes come from
// the table in the file named by argv, added with JwtAuthorizer.addRoutes (or, with `plain`, as bare methods:
// what CDK itself costs), then app.synth(). Reports the time of each step on one stdout line; module loading
// is not timed.
//
// As the project's infra tests synthesize: CDK_VALIDATION=false (set by the parent: aws-cdk-lib's built-in
// CloudFormation validation adds seconds to any synth) and no bundling (the construct stages its prebuilt
// bundle). A stack of 1,000 methods has about 2,200 resources, over CloudFormation's 500 a stack: the limit is
// lifted here, since what is measured is the synth, not a deployable layout (a real app splits such an API).
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Issuer, JwtAuthorizer } from 'bearer-gate';
import type { RouteRule } from 'bearer-gate/contract';
import { AUDIENCE, ISSUER } from './fixtures';

const [routesFile, outdir, mode] = process.argv.slice(2) as [string, string, string | undefined];
const routes = JSON.parse(readFileSync(routesFile, 'utf8')) as RouteRule[];
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const started = nowMs();
const app = new App({
  outdir,
  context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': 0 },
});
const stack = new Stack(app, 'RouteTableBench');
const api = new apigw.RestApi(stack, 'Api');
const integration = new apigw.MockIntegration();
if (mode === 'plain') {
  for (const route of routes) api.root.resourceForPath(route.path).addMethod(route.method, integration);
} else {
  const jwt = new JwtAuthorizer(stack, 'Jwt', { issuers: [Issuer.oidc(ISSUER, { audience: [AUDIENCE] })] });
  jwt.addRoutes(api, routes, () => integration);
}
const constructed = nowMs();
const assembly = app.synth();
const synthesized = nowMs();

const template = Template.fromJSON(
  assembly.getStackByName(stack.stackName).template as Record<string, unknown>,
);
const authorizers = Object.values(template.findResources('AWS::ApiGateway::Authorizer')) as Array<{
  Properties: { Type: string };
}>;
process.stdout.write(
  `${JSON.stringify({
    bench: {
      constructMs: constructed - started,
      synthMs: synthesized - constructed,
      resources: Object.keys(template.toJSON().Resources as object).length,
      authorizer: authorizers[0]?.Properties.Type ?? 'none',
    },
  })}\n`,
);
