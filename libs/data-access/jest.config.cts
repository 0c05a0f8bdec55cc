const nodeEsm = require('../../tools/jest/node-esm.js');

module.exports = {
  displayName: 'data-access',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  ...nodeEsm,
  // The live list uses Angular's signals: @angular/core ships ES modules (.mjs), transformed too.
  transform: { ...nodeEsm.transform, '^.+\\.mjs$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  transformIgnorePatterns: nodeEsm.transformIgnorePatterns.map((pattern: string) => pattern.replace(/\)\/\)$/, ')/|.*\\.mjs$)')),
  // The spec starts a real control plane and the built gateway.
  testTimeout: 120_000,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'html'],
  coverageDirectory: '../../coverage/libs/data-access',
};
