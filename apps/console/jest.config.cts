module.exports = {
  displayName: 'console',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  ...require('../../tools/jest/node-esm.js'),
  // console.spec.ts starts a real control plane and OpenID provider.
  testTimeout: 120_000,
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/apps/console',
};
