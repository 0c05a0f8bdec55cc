module.exports = {
  displayName: 'gateway',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  ...require('../../tools/jest/node-esm.js'),
  // kube-api.spec.ts starts a real control plane.
  testTimeout: 120_000,
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/apps/gateway',
};
