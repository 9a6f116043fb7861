// Shared setup for infra unit tests: apps that synthesize fast (no bundling, no built-in CloudFormation
// validation) and the cdk-nag check with its acknowledgements.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InfraConfigError } from '../../infra/constructs';

// aws-cdk-lib's built-in template validation adds seconds per synth; the real `cdk synth` test keeps it.
process.env.CDK_VALIDATION = 'false';

// Without an outdir every App (and so every Template.fromStack) writes a fresh cdk.out* directory into the
// system temp directory and leaves it there. Here all of a test file's apps write under one directory, which
// the file removes when its tests end (the hook is registered when the test file imports this module).
let outdirRoot: string | undefined;

afterAll(() => {
  if (outdirRoot !== undefined) rmSync(outdirRoot, { recursive: true, force: true });
  outdirRoot = undefined;
});

function nextOutdir(): string {
  outdirRoot ??= mkdtempSync(join(tmpdir(), 'bearer-gate-synth-'));
  return mkdtempSync(join(outdirRoot, 'cdk.out-'));
}

/**
 * An App that skips NodejsFunction bundling (esbuild is exercised by the real synth test) and writes its
 * cloud assembly under a temp directory the test file removes when it ends.
 */
export function fastApp(context: Record<string, unknown> = {}): App {
  return new App({ outdir: nextOutdir(), context: { 'aws:cdk:bundling-stacks': [], ...context } });
}

export interface NagFinding {
  readonly rule: string;
  readonly paths: readonly string[];
}

/** Runs cdk-nag's AwsSolutions pack over the tree; acknowledged findings are not returned. */
export function awsSolutionsFindings(scope: IConstruct): NagFinding[] {
  const report = new AwsSolutionsChecks().validateScope(scope);
  return report.violations.map((v) => ({
    rule: v.ruleName,
    paths: v.violatingResources.map((r) => r.constructPath ?? '?'),
  }));
}

export interface Acknowledgement {
  readonly path: string;
  readonly rule: string;
  readonly reason: string;
}

/** Every acknowledgement recorded with Validations.of(...).acknowledge() in the tree. */
export function acknowledgements(scope: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const node of scope.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        found.push({ path: node.node.path, rule, reason: String(reason) });
      }
    }
  }
  return found;
}

/**
 * The files of the authorizer's code asset, as the cloud assembly staged them (`asset.<hash>`, the hash the
 * function's S3 key names): the bundle and what the Lambda reads at init.
 */
export function authorizerAssetFiles(stack: Stack): Record<string, string> {
  const outdir = (stack.node.root as App).outdir;
  const template = Template.fromStack(stack);
  const functions = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ROUTES_FILE: Match.anyValue() } } },
    }),
  ) as Array<{ Properties: { Code: { S3Key: string } } }>;
  if (functions.length !== 1) throw new Error(`expected one authorizer function, found ${functions.length}`);
  const dir = join(outdir, `asset.${functions[0]!.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** The authorizer function's environment variables (the one function that reads ROUTES_FILE). */
export function authorizerEnvironment(stack: Stack): Record<string, string> {
  const [fn] = Object.values(
    Template.fromStack(stack).findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { ROUTES_FILE: Match.anyValue() } } },
    }),
  ) as Array<{ Properties: { Environment: { Variables: Record<string, string> } } }>;
  if (fn === undefined) throw new Error('no authorizer function (one with ROUTES_FILE) in the stack');
  return fn.Properties.Environment.Variables;
}

/** The InfraConfigError that `make` (a construct, or a factory such as JwksSeed.fromFile) throws. */
export function synthError(make: () => unknown): InfraConfigError {
  try {
    make();
  } catch (error) {
    if (error instanceof InfraConfigError) return error;
    throw error;
  }
  throw new Error('no error was thrown');
}
