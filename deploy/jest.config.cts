module.exports = {
  displayName: 'deploy',
  preset: '../jest.preset.js',
  testEnvironment: 'node',
  ...require('../tools/jest/node-esm.js'),
  moduleFileExtensions: ['ts', 'js'],
  coverageDirectory: '../coverage/deploy',
  // helm, the built services and one real control plane: seconds, not milliseconds.
  testTimeout: 240_000,
  // One control plane at a time on a two-core machine.
  maxWorkers: 1,
};
