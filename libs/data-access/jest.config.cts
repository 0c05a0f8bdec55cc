module.exports = {
  displayName: 'data-access',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  ...require('../../tools/jest/node-esm.js'),
  // The spec starts a real control plane and the built gateway.
  testTimeout: 120_000,
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/libs/data-access',
};
