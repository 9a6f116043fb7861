// CDK app entry point (cdk.json runs it with tsx): the Items API stack, checked by cdk-nag's AwsSolutions rules.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ItemsApiStack, readStackConfig } from './stacks';

const app = new App();
const config = readStackConfig((key) => app.node.tryGetContext(key));

new ItemsApiStack(app, 'ItemsApi', {
  description: 'bearer-gate: Items API behind a JWT TOKEN authorizer',
  config,
});

// A finding fails `cdk synth`; the only way past one is an acknowledgement with a written reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

app.synth();
