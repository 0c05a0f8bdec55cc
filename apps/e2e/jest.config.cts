const nodeEsm = require('../../tools/jest/node-esm.js');

module.exports = {
  displayName: 'e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  // Resolves the workspace libraries (@cairn/...) from tsconfig.base.json's paths.
  resolver: '@nx/jest/plugins/resolver',
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  transformIgnorePatterns: nodeEsm.transformIgnorePatterns,
  // A browser, two services and a cold page load per story: minutes, not milliseconds.
  testTimeout: 90_000,
  // The stories share one machine's ports and CPU; run them one after another.
  maxWorkers: 1,
};
