// The layer boundaries eslint.config.mjs enforces: the library (lambda/authorizer, lambda/contract,
// infra/constructs) imports nothing of the sample app, and the app reaches the library only through the
// package's entry points. Each case lints one import as if it were written in that file.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

const LIBRARY_ONLY =
  "'{import}' import is restricted from being used by a pattern. The library (lambda/authorizer, lambda/contract, infra/constructs) imports only its own modules. What an app varies is a construct prop or an option.";
const NOT_BY_NAME =
  "'{import}' import is restricted from being used by a pattern. Inside the library, import the library's modules by relative path.";
const ENTRY_POINTS =
  "'{import}' import is restricted from being used by a pattern. Import the library through the package's entry points: 'bearer-gate', 'bearer-gate/authorizer' or 'bearer-gate/contract'.";

// ESLint loads eslint.config.mjs with a dynamic import, which jest's module sandbox cannot run: one child
// process lints every case, each an import written in a file of the given folder.
const LINT_CASES = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
Promise.all(cases.map(async ([file, specifier]) => {
  const [result] = await eslint.lintText(\`import { x } from '\${specifier}';\\nexport const y = x;\\n\`, { filePath: file });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
})).then((out) => process.stdout.write(JSON.stringify(out)));
`;

function lintImports(cases: ReadonlyArray<readonly [string, string]>): string[][] {
  const run = spawnSync(process.execPath, ['-e', LINT_CASES], {
    cwd: ROOT,
    input: JSON.stringify(cases.map(([file, specifier]) => [resolve(ROOT, file), specifier])),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`linting the cases failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const REFUSED: ReadonlyArray<readonly [string, string, string]> = [
  // The library may not reach the app ...
  ['lambda/authorizer/probe.ts', '../http/problem', LIBRARY_ONLY],
  ['lambda/authorizer/probe.ts', '../routes', LIBRARY_ONLY],
  ['lambda/authorizer/probe.ts', '../revocation/schema', LIBRARY_ONLY],
  ['lambda/authorizer/probe.ts', '../shared/dynamodb', LIBRARY_ONLY],
  ['lambda/authorizer/probe.ts', '../../infra/constructs', LIBRARY_ONLY],
  ['lambda/contract/probe.ts', '../items', LIBRARY_ONLY],
  ['infra/constructs/probe.ts', '../stacks', LIBRARY_ONLY],
  ['infra/constructs/probe.ts', '../../lambda/http/cors', LIBRARY_ONLY],
  ['infra/constructs/probe.ts', '../../local/tls', LIBRARY_ONLY],
  // ... nor itself by the package name, which an installed package resolves to dist/.
  ['lambda/authorizer/probe.ts', 'bearer-gate/contract', NOT_BY_NAME],
  ['infra/constructs/probe.ts', 'bearer-gate', NOT_BY_NAME],
  // The app may not reach into the library's folders ...
  ['lambda/items/probe.ts', '../authorizer/log', ENTRY_POINTS],
  ['lambda/routes/probe.ts', '../contract/route-rules', ENTRY_POINTS],
  ['infra/stacks/probe.ts', '../constructs', ENTRY_POINTS],
  ['infra/stacks/probe.ts', '../../lambda/contract', ENTRY_POINTS],
  ['local/probe.ts', '../lambda/authorizer/revocation-loader', ENTRY_POINTS],
  ['local/gateway/probe.ts', '../../infra/constructs/gateway-contract', ENTRY_POINTS],
  ['bench/probe.ts', '../lambda/authorizer', ENTRY_POINTS],
];

const ALLOWED: ReadonlyArray<readonly [string, string]> = [
  ['lambda/authorizer/probe.ts', './log'],
  ['lambda/authorizer/probe.ts', '../contract/route-set'],
  ['lambda/contract/probe.ts', './route-rules'],
  ['infra/constructs/probe.ts', './prop-checks'],
  ['infra/constructs/probe.ts', '../../lambda/contract'],
  ['infra/constructs/probe.ts', '../../lambda/authorizer/log'],
  ['lambda/items/probe.ts', 'bearer-gate/authorizer'],
  ['lambda/items/probe.ts', '../http'],
  ['infra/stacks/probe.ts', 'bearer-gate'],
  ['local/probe.ts', './construct-contract'],
  ['local/gateway/probe.ts', 'bearer-gate/contract'],
  ['test/authorizer/probe.test.ts', '../../lambda/authorizer/verifier'],
];

let refused: string[][];
let allowed: string[][];

beforeAll(() => {
  const results = lintImports([
    ...REFUSED.map(([file, specifier]) => [file, specifier] as const),
    ...ALLOWED,
  ]);
  refused = results.slice(0, REFUSED.length);
  allowed = results.slice(REFUSED.length);
}, 60_000);

test.each(REFUSED.map((c, i) => [...c, i] as const))(
  '%s may not import %s',
  (_file, specifier, message, i) => {
    expect(refused[i]).toEqual([message.replace('{import}', specifier)]);
  },
);

test.each(ALLOWED.map((c, i) => [...c, i] as const))('%s may import %s', (_file, _specifier, i) => {
  expect(allowed[i]).toEqual([]);
});
