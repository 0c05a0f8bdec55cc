module.exports = {
  displayName: 'kube-model',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  ...require('../../tools/jest/node-esm.js'),
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/libs/kube-model',
  // The kubectl comparison starts the real control plane.
  testTimeout: 180_000,
};
