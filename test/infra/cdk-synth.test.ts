// The one real `cdk synth`: the CLI runs infra/app.ts offline, with no AWS credentials, bundles every
// handler with esbuild and runs cdk-nag as a validation plugin (a finding fails the synth).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APP_ROUTES } from '../../lambda/routes';

const ROOT = resolve(__dirname, '..', '..');

describe('npx cdk synth', () => {
  let outdir: string;
  let result: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    // A private output directory, so a developer's own cdk.out is neither used nor clobbered.
    outdir = mkdtempSync(join(tmpdir(), 'bearer-gate-cdk-out-'));
    const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CI: 'true' };
    for (const key of Object.keys(env))
      if (key.startsWith('AWS_') || key.startsWith('CDK_DEFAULT_')) delete env[key];
    delete env.CDK_VALIDATION;
    result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
  }, 150_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('exits 0 (cdk-nag included) and writes the template', () => {
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const template = JSON.parse(readFileSync(join(outdir, 'ItemsApi.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(APP_ROUTES.length + 1);
    expect(types).toContain('AWS::ApiGateway::Authorizer');
  });

  test('every function is an ESM bundle with a source map that never needs require()', () => {
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(APP_ROUTES.length + 1);
    for (const asset of assets) {
      const code = readFileSync(join(outdir, asset, 'index.mjs'), 'utf8');
      expect(code).toMatch(/export\{[\w$]+ as handler\};/);
      // esbuild's shim for a CommonJS require() in an ESM bundle, which throws at load without a banner.
      expect(code).not.toContain('Dynamic require of');
      expect(existsSync(join(outdir, asset, 'index.mjs.map'))).toBe(true);
    }
  });

  test('the stack has a revocation table, so its authorizer bundle is the revocable handler', () => {
    const sources = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.'))
      .map(
        (asset) =>
          (JSON.parse(readFileSync(join(outdir, asset, 'index.mjs.map'), 'utf8')) as { sources: string[] })
            .sources,
      );
    // Other functions log with the authorizer's logger (lambda/authorizer/log.ts); only an authorizer has its handler.
    const authorizers = sources.filter((list) =>
      list.some((s) => /lambda\/authorizer\/[a-z-]*handler\.ts$/.test(s)),
    );
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]?.filter((s) => /handler\.ts$/.test(s)).map((s) => s.split('/').pop())).toEqual([
      'revocable-handler.ts',
    ]);
  });
});
