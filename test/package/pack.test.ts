// The package as an outside user gets it: `npm pack` (whose prepack runs the build), the tarball installed
// offline into a fresh app that has nothing but the package, aws-cdk-lib and constructs (no TypeScript, no
// esbuild), and the example synthesized there in plain JavaScript with every network connection
// refused. The authorizer's code asset must be the prebuilt bundle the package ships.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readTemplate } from './cloudformation-yaml';

const ROOT = resolve(__dirname, '..', '..');
const LIBRARY_SOURCES = ['lambda/authorizer', 'lambda/contract', 'infra/constructs'];

let work: string;
let consumer: string;
let tarballFiles: string[];
let install: SpawnSyncReturns<string>;

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  const clean: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', ...env };
  // A user's synth runs without AWS credentials or CDK settings from this machine.
  for (const key of Object.keys(clean))
    if (key.startsWith('AWS_') || key.startsWith('CDK_')) delete clean[key];
  return spawnSync(command, args, { cwd, env: clean, encoding: 'utf8', timeout: 180_000 });
}

function expectSuccess(result: SpawnSyncReturns<string>): void {
  expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
    status: 0,
    stderr: '',
  });
}

/** Links a package of this repository's node_modules into the consumer, as an install would place it. */
function link(name: string): void {
  const target = join(consumer, 'node_modules', name);
  mkdirSync(resolve(target, '..'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules', name), target, 'dir');
}

/** The library's TypeScript modules, relative to the repository, without the .ts. */
function librarySourceModules(): string[] {
  return LIBRARY_SOURCES.flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
      .map((file) => `${dir}/${file.slice(0, -'.ts'.length)}`),
  );
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'bearer-gate-pack-'));
  const tarballDir = join(work, 'tarball');
  mkdirSync(tarballDir);
  const pack = run('npm', ['pack', '--pack-destination', tarballDir], ROOT);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const [tarball] = readdirSync(tarballDir);
  if (tarball === undefined) throw new Error('npm pack wrote no tarball');
  const listing = run('tar', ['-tzf', join(tarballDir, tarball)], work);
  tarballFiles = listing.stdout
    .split('\n')
    .filter((line) => line !== '')
    .sort();

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  // aws-cdk-lib and constructs as the app's own dependencies, and the package's one dependency, linked from
  // this repository's node_modules so that the install needs no network (--offline would refuse it anyway).
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: {
        'bearer-gate': `file:${join(tarballDir, tarball)}`,
        'aws-cdk-lib': `file:${join(ROOT, 'node_modules', 'aws-cdk-lib')}`,
        constructs: `file:${join(ROOT, 'node_modules', 'constructs')}`,
        'aws-jwt-verify': `file:${join(ROOT, 'node_modules', 'aws-jwt-verify')}`,
      },
    }),
  );
  install = run(
    'npm',
    ['install', '--offline', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'],
    consumer,
  );
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  test('holds the compiled library (.js and .d.ts of every module), the three bundles, the SAM template and the docs', () => {
    const expected = [
      'package/CHANGELOG.md',
      'package/README.md',
      'package/package.json',
      'package/sam/template.yaml',
      ...['authorizer', 'revocable-authorizer', 'revocation-admin'].flatMap((dir) => [
        `package/dist/bundles/${dir}/index.mjs`,
        `package/dist/bundles/${dir}/index.mjs.map`,
      ]),
      ...librarySourceModules().flatMap((module) => [
        `package/dist/${module}.js`,
        `package/dist/${module}.d.ts`,
      ]),
    ].sort();
    expect(tarballFiles).toEqual(expected);
  });

  test('carries no tests, sources, local loop, web app, benchmarks, events or scripts', () => {
    const outside = tarballFiles.filter((file) =>
      /^package\/(test|local|web|bench|events|scripts|lambda|infra|node_modules|coverage)\//.test(file),
    );
    expect(outside).toEqual([]);
    expect(tarballFiles.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
  });
});

describe('installed into a plain JavaScript app', () => {
  let synth: SpawnSyncReturns<string>;
  let outdir: string;
  let revocationSynth: SpawnSyncReturns<string>;
  let revocationOutdir: string;
  let probe: {
    bundleDirs: string[];
    samCodeDir: string;
    exports: Record<string, string>;
    resolved: Record<string, string>;
    missing: Record<string, string>;
  };

  beforeAll(() => {
    expectSuccess(install);
    // The example, verbatim apart from the function it protects.
    writeFileSync(
      join(consumer, 'app.mjs'),
      `import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Issuer, JwtAuthorizer } from 'bearer-gate';

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Orders');
const api = new apigw.RestApi(stack, 'Api');
const fn = new lambda.Function(stack, 'ListOrders', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "[]" });'),
});
const jwt = new JwtAuthorizer(stack, 'Jwt', {
  issuers: [Issuer.oidc('https://example.eu.auth0.com/', { audience: ['https://orders.example.com'] })],
});
jwt.addRoutes(api, [{ method: 'GET', path: '/orders', scopes: ['orders:read'] }], () => new apigw.LambdaIntegration(fn));
app.synth();
`,
    );
    // Preloaded into the synth: any attempt to open a connection (DNS, TCP, TLS, fetch) fails it.
    writeFileSync(
      join(consumer, 'no-network.cjs'),
      `const net = require('node:net');
const dns = require('node:dns');
const refuse = (what) => () => { throw new Error('the synth tried to use the network: ' + what); };
net.Socket.prototype.connect = refuse('connect');
dns.lookup = refuse('dns.lookup');
dns.promises.lookup = refuse('dns.promises.lookup');
`,
    );
    writeFileSync(
      join(consumer, 'probe.mjs'),
      `import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as root from 'bearer-gate';
import * as authorizer from 'bearer-gate/authorizer';
import * as contract from 'bearer-gate/contract';

const require = createRequire(import.meta.url);
const kind = (module, names) => Object.fromEntries(names.map((name) => [name, typeof module[name]]));
const missing = {};
for (const name of ['esbuild', 'typescript', 'tsx']) {
  try { require.resolve(name); missing[name] = 'found'; } catch (error) { missing[name] = error.code; }
}
const template = readFileSync(require.resolve('bearer-gate/package.json').replace('package.json', 'sam/template.yaml'), 'utf8');
const codeUri = /CodeUri: (\\S+)/.exec(template)[1];
process.stdout.write(JSON.stringify({
  exports: {
    ...kind(root, ['JwtAuthorizer', 'RevocationList', 'Issuer', 'CorsOrigin', 'CachingMode', 'authorizerBundleDir', 'buildGatewayResponses', 'REVOCATION_TABLE_SCHEMA']),
    ...kind(authorizer, ['createAuthorizer', 'parseConfig', 'ConfigError', 'TokenRejectedError', 'createLogger']),
    ...kind(contract, ['IDENTITY_VALIDATION_EXPRESSION', 'validateRouteTable', 'RouteSet']),
  },
  resolved: {
    handler: import.meta.resolve('bearer-gate/authorizer/handler'),
    revocableHandler: import.meta.resolve('bearer-gate/authorizer/revocable-handler'),
  },
  bundleDirs: [root.authorizerBundleDir('plain'), root.authorizerBundleDir('revocable')],
  samCodeDir: resolve(dirname(require.resolve('bearer-gate/package.json')), 'sam', codeUri),
  missing,
}));
`,
    );
    // Revocation as the README sets it up: a RevocationList, the authorizer reading it, the admin route.
    writeFileSync(
      join(consumer, 'revocation.mjs'),
      `import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Issuer, JwtAuthorizer, RevocationList } from 'bearer-gate';

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Revocations');
const api = new apigw.RestApi(stack, 'Api');
const revocations = new RevocationList(stack, 'Revocations', { maxTokenLifetime: Duration.hours(1) });
const jwt = new JwtAuthorizer(stack, 'Jwt', { issuers: [Issuer.oidc('https://example.eu.auth0.com/', { audience: ['https://orders.example.com'] })], revocation: revocations });
jwt.addMethod(api.root.addResource('revocations'), 'POST', new apigw.LambdaIntegration(revocations.adminFunction), { scopes: revocations.adminScopes });
app.synth();
`,
    );
    outdir = join(work, 'cdk.out');
    synth = run(process.execPath, ['--require', './no-network.cjs', 'app.mjs', outdir], consumer);
    revocationOutdir = join(work, 'cdk.out.revocation');
    revocationSynth = run(
      process.execPath,
      ['--require', './no-network.cjs', 'revocation.mjs', revocationOutdir],
      consumer,
    );
    const probed = run(process.execPath, ['probe.mjs'], consumer);
    expectSuccess(probed);
    probe = JSON.parse(probed.stdout) as typeof probe;
  }, 120_000);

  const installed = (): string => join(consumer, 'node_modules', 'bearer-gate');

  test('with no TypeScript, no esbuild and no tsx to be found', () => {
    expect(probe.missing).toEqual({
      esbuild: 'MODULE_NOT_FOUND',
      typescript: 'MODULE_NOT_FOUND',
      tsx: 'MODULE_NOT_FOUND',
    });
  });

  test('the JWKS seed tool runs as the package bin, bearer-gate-jwks-seed', () => {
    const bin = join(consumer, 'node_modules', '.bin', 'bearer-gate-jwks-seed');
    const help = run(bin, ['--help'], consumer);
    expectSuccess(help);
    expect(help.stdout).toMatch(/^Usage: bearer-gate-jwks-seed \(--issuer URL \| --jwks-uri URL\)/);
    // A bad flag is a usage error (exit 2) that names the flag; nothing is fetched or written.
    const bad = run(bin, ['--issuer', 'http://127.0.0.1/'], consumer);
    expect({ status: bad.status, first: bad.stderr.split('\n')[0] }).toEqual({
      status: 2,
      first: 'jwks-seed failed: --issuer must be an absolute https URL; got "http://127.0.0.1/"',
    });
  });

  test('its entry points load from ESM with the names the README uses', () => {
    expect(probe.exports).toEqual({
      JwtAuthorizer: 'function',
      RevocationList: 'function',
      Issuer: 'function',
      CorsOrigin: 'function',
      CachingMode: 'object',
      authorizerBundleDir: 'function',
      buildGatewayResponses: 'function',
      REVOCATION_TABLE_SCHEMA: 'object',
      createAuthorizer: 'function',
      parseConfig: 'function',
      ConfigError: 'function',
      TokenRejectedError: 'function',
      createLogger: 'function',
      IDENTITY_VALIDATION_EXPRESSION: 'string',
      validateRouteTable: 'function',
      RouteSet: 'function',
    });
    expect(probe.resolved).toEqual({
      handler: `file://${installed()}/dist/lambda/authorizer/handler.js`,
      revocableHandler: `file://${installed()}/dist/lambda/authorizer/revocable-handler.js`,
    });
  });

  test('authorizerBundleDir() and the SAM template point at the bundles the package ships, as built here', () => {
    expect(probe.bundleDirs).toEqual([
      join(installed(), 'dist', 'bundles', 'authorizer'),
      join(installed(), 'dist', 'bundles', 'revocable-authorizer'),
    ]);
    expect(probe.samCodeDir).toBe(probe.bundleDirs[0]);
    for (const dir of ['authorizer', 'revocable-authorizer']) {
      expect(readFileSync(join(installed(), 'dist', 'bundles', dir, 'index.mjs'))).toEqual(
        readFileSync(join(ROOT, 'dist', 'bundles', dir, 'index.mjs')),
      );
    }
    expect(
      readTemplate(join(installed(), 'sam', 'template.yaml')).Resources.AuthorizerFunction?.Properties
        .CodeUri,
    ).toBe('../dist/bundles/authorizer');
  });

  test("the issue's example synthesizes offline, in plain JavaScript", () => {
    expectSuccess(synth);
    expect(synth.stdout).toBe('');
  });

  test("the authorizer's code asset is the prebuilt bundle, with the route table beside it", () => {
    const template = JSON.parse(readFileSync(join(outdir, 'Orders.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const authorizer = functions.find((fn) => (fn.Properties.Code as { S3Key?: string }).S3Key !== undefined);
    expect(authorizer?.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
    const assetHash = String((authorizer?.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '');
    const asset = join(outdir, `asset.${assetHash}`);

    expect(readdirSync(asset).sort()).toEqual(['index.mjs', 'index.mjs.map', 'routes.json']);
    expect(readFileSync(join(asset, 'index.mjs'))).toEqual(
      readFileSync(join(installed(), 'dist', 'bundles', 'authorizer', 'index.mjs')),
    );
    expect(JSON.parse(readFileSync(join(asset, 'routes.json'), 'utf8'))).toEqual([
      { method: 'GET', path: '/orders', scopes: ['orders:read'] },
    ]);
    // The only other assets are the template itself: no bundling happened at synth.
    const assets = readdirSync(outdir).filter((entry) => entry.startsWith('asset.'));
    expect(assets).toEqual([`asset.${assetHash}`]);
  });

  test('with a RevocationList, the admin function and the authorizer run the revocable and admin bundles the package ships', () => {
    expectSuccess(revocationSynth);
    expect(revocationSynth.stdout).toBe('');
    const template = JSON.parse(
      readFileSync(join(revocationOutdir, 'Revocations.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const asset = (fn: { Properties: Record<string, unknown> } | undefined): string =>
      join(
        revocationOutdir,
        `asset.${String((fn?.Properties.Code as { S3Key: string }).S3Key).replace(/\.zip$/, '')}`,
      );
    const variables = (fn: { Properties: Record<string, unknown> }): Record<string, unknown> =>
      (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    const admin = functions.find((fn) => 'MAX_TOKEN_LIFETIME_SECONDS' in variables(fn));
    const authorizer = functions.find((fn) => 'ROUTES_FILE' in variables(fn));
    expect(admin?.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
    expect(readdirSync(asset(admin)).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    expect(readFileSync(join(asset(admin), 'index.mjs'))).toEqual(
      readFileSync(join(installed(), 'dist', 'bundles', 'revocation-admin', 'index.mjs')),
    );
    expect(readFileSync(join(asset(authorizer), 'index.mjs'))).toEqual(
      readFileSync(join(installed(), 'dist', 'bundles', 'revocable-authorizer', 'index.mjs')),
    );
    expect(variables(authorizer as { Properties: Record<string, unknown> })).toMatchObject({
      REVOCATION_TABLE: { Ref: expect.stringMatching(/^RevocationsTable/) },
    });
  });

  test('a TypeScript app type-checks against its .d.ts files (strict, skipLibCheck off)', () => {
    // The optional peer @types/aws-lambda (for bearer-gate/authorizer) and @types/node, as a TypeScript
    // user has them; the compiler is this repository's.
    link('@types/aws-lambda');
    link('@types/node');
    writeFileSync(
      join(consumer, 'app.ts'),
      `import { App, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { CachingMode, CorsOrigin, Issuer, JwtAuthorizer, LogLevel, REVOCATION_TABLE_SCHEMA, RevocationList, type JwtAuthorizerProps, type RouteRule } from 'bearer-gate';
import { IDENTITY_VALIDATION_EXPRESSION, buildGatewayResponses } from 'bearer-gate/contract';
import { ConfigError, createAuthorizer, parseConfig, type AuthorizerConfig } from 'bearer-gate/authorizer';

const stack = new Stack(new App(), 'Orders');
const api = new apigw.RestApi(stack, 'Api');
const issuer = 'https://example.eu.auth0.com/';
const props: JwtAuthorizerProps = {
  issuers: [Issuer.oidc(issuer, { audience: ['https://orders.example.com'] })],
  caching: CachingMode.AUTO,
  logLevel: LogLevel.INFO,
  corsAllowOrigin: CorsOrigin.of('https://app.example.com'),
};
const routes: readonly RouteRule[] = [{ method: 'GET', path: '/orders', scopes: ['orders:read'] }];
const jwt = new JwtAuthorizer(stack, 'Jwt', props);
jwt.addRoutes(api, routes, () => new apigw.MockIntegration());
// The schema is plain table props, and a table made from it is a RevocationList's own.
const table = new dynamodb.Table(stack, 'Rev', REVOCATION_TABLE_SCHEMA);
new JwtAuthorizer(stack, 'Jwt2', { ...props, revocation: new RevocationList(stack, 'List', { table }) }).addRoutes(
  new apigw.RestApi(stack, 'Api2'),
  routes,
  () => new apigw.MockIntegration(),
);
// The escape hatch is the lambda.Function itself.
jwt.function.addEnvironment('EXTRA', 'x');
const config: AuthorizerConfig = parseConfig({ ISSUER: issuer, AUDIENCE: 'x', ROUTES: JSON.stringify(routes) });
export const used = [IDENTITY_VALIDATION_EXPRESSION, buildGatewayResponses(), createAuthorizer(config), ConfigError];
`,
    );
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'ESNext.Disposable'],
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['app.ts'],
      }),
    );
    const tsc = run(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      consumer,
    );
    expect({ status: tsc.status, errors: tsc.stdout }).toEqual({ status: 0, errors: '' });
  }, 60_000);

  test('a package packed without its bundles says what to do', () => {
    const bundle = join(installed(), 'dist', 'bundles', 'authorizer', 'index.mjs');
    rmSync(bundle);
    const result = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { authorizerBundleDir } from 'bearer-gate'; authorizerBundleDir('plain');",
      ],
      consumer,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `Error: bearer-gate: the prebuilt authorizer bundle ${bundle} is missing; the package was packed without its build. Reinstall it, or run \`npm run build\` in its source.`,
    );
  });
});
