module.exports = {
  displayName: 'kube-testenv',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  ...require('../../tools/jest/node-esm.js'),
  moduleFileExtensions: ['ts', 'js'],
  coverageDirectory: '../../coverage/libs/kube-testenv',
  // These tests start a real control plane and OpenID provider: seconds, not milliseconds.
  testTimeout: 180_000,
  // One control plane at a time on a two-core machine.
  maxWorkers: 1,
};
