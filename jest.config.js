// Jest configuration: ts-jest (CommonJS), one global setup for shared local servers.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // `bearer-gate`, `bearer-gate/authorizer`, ...: the package's entry points, resolved to their sources as in
  // tsconfig.json, so the app and its tests import the library exactly as an installed package's users do.
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testMatch: ['**/*.test.ts'],
  transform: {
    // Jest runs CommonJS in a vm without ESM support, so dynamic import() (kept as-is under module node16)
    // is compiled to require() here. The type check (tsc) still uses the project's own settings.
    '^.+\\.ts$': [
      'ts-jest',
      { isolatedModules: true, tsconfig: { module: 'commonjs', moduleResolution: 'node10' } },
    ],
  },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/setup/log-guard.ts'],
  collectCoverage: true,
  collectCoverageFrom: ['lambda/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: {
    './lambda/authorizer/': { lines: 95 },
  },
  testTimeout: 30000,
};
