// ESLint flat config: typescript-eslint's recommended rules at zero warnings.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `outside`: a relative import that leaves the library's folders (lambda/authorizer, lambda/contract, infra/constructs). */
function libraryImportsOnly(outside) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: outside,
            message:
              'The library (lambda/authorizer, lambda/contract, infra/constructs) imports only its own modules. What an app varies is a construct prop or an option.',
          },
          {
            regex: '^bearer-gate(?:/|$)',
            message: "Inside the library, import the library's modules by relative path.",
          },
        ],
      },
    ],
  };
}

const APP_FILES = [
  'lambda/http/**/*.ts',
  'lambda/items/**/*.ts',
  'lambda/revocation/**/*.ts',
  'lambda/routes/**/*.ts',
  'lambda/shared/**/*.ts',
  'infra/stacks/**/*.ts',
  'infra/app.ts',
  'local/**/*.{ts,mts}',
  'bench/**/*.{ts,mjs}',
  'web/**/*.ts',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', 'dist/', 'test-artifacts/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The library (the package: the authorizer runtime, the construct and the contract they share) imports
    // nothing of the sample app, and its modules import each other by relative path: once installed, the
    // package's own name resolves to dist/, not to these sources.
    files: ['lambda/authorizer/**/*.{ts,mts}', 'lambda/contract/**/*.ts'],
    rules: libraryImportsOnly('^\\.\\./(?!authorizer(?:/|$)|contract(?:/|$))'),
  },
  {
    files: ['infra/constructs/**/*.ts'],
    rules: libraryImportsOnly('^\\.\\./(?!\\.\\./lambda/(?:authorizer|contract)(?:/|$))'),
  },
  {
    // The sample app, the local loop and the benchmarks use the library only through the package's entry
    // points (bearer-gate, bearer-gate/authorizer, bearer-gate/contract), exactly as an outside user would.
    // Tests may reach the library's internals.
    files: APP_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.[./]*/(?:(?:lambda/)?(?:authorizer|contract)|(?:infra/)?constructs)(?:/|$)',
              message:
                "Import the library through the package's entry points: 'bearer-gate', 'bearer-gate/authorizer' or 'bearer-gate/contract'.",
            },
          ],
        },
      ],
    },
  },
  {
    // The bench builds the authorizer's bundles with the function that builds the package's and the
    // construct's (infra/constructs/authorizer-bundle.ts), so that one esbuild configuration makes all three.
    // That build step is no entry point of the package.
    files: ['bench/bundle.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
    languageOptions: {
      sourceType: 'commonjs',
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
);
