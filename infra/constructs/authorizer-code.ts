// The authorizer's code asset: a directory made at synth from the prebuilt bundle plus the files the Lambda
// reads at init (routes.json, jwks-seed.json, trusted-ca.pem), so nothing large travels in environment variables and the
// asset's hash changes exactly when the bundle or one of those files does.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lazy, Stage, type CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';

/**
 * Lambda code whose S3 location is filled in at synth. The route table is only final once every
 * addRoutes()/addMethod() call has run, which is after the function exists; `materialize` then makes the
 * directory and its asset, and the location tokens resolve to it.
 */
export class AuthorizerCode extends lambda.Code {
  private asset: s3assets.Asset | undefined;

  override bind(_scope: Construct): lambda.CodeConfig {
    return {
      s3Location: {
        bucketName: Lazy.string({ produce: () => this.made().s3BucketName }),
        objectKey: Lazy.string({ produce: () => this.made().s3ObjectKey }),
      },
    };
  }

  get materialized(): boolean {
    return this.asset !== undefined;
  }

  /**
   * Writes `bundleDir`'s files and `files` into one directory under the cloud assembly (it must outlive the
   * synth: `cdk synth --no-staging`, as SAM uses it, points the function at it) and makes it the asset.
   */
  materialize(
    scope: Construct,
    resource: CfnResource,
    bundleDir: string,
    files: Readonly<Record<string, string>>,
  ): void {
    const hash = createHash('sha256');
    const bundleFiles = readdirSync(bundleDir).sort();
    for (const name of bundleFiles) hash.update(`${name}\n`).update(readFileSync(join(bundleDir, name)));
    for (const [name, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
      hash.update(`${name}\n${text}\n`);
    }
    const outdir = Stage.of(scope)?.outdir;
    if (outdir === undefined)
      throw new Error(`${scope.node.path}: a JwtAuthorizer must be inside a CDK App or Stage`);
    const dir = join(outdir, 'bearer-gate-code', hash.digest('hex').slice(0, 24));
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      for (const name of bundleFiles) cpSync(join(bundleDir, name), join(dir, name));
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    }
    this.asset = new s3assets.Asset(scope, 'Code', { path: dir });
    // SAM's `sam local` and `sam build` find the function's code through this metadata.
    this.asset.addResourceMetadata(resource, 'Code');
  }

  private made(): s3assets.Asset {
    if (this.asset === undefined) {
      throw new Error('JwtAuthorizer: the code asset was not made before the template was resolved');
    }
    return this.asset;
  }
}
