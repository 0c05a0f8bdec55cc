module.exports = {
  displayName: 'server-runtime',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  ...require('../../tools/jest/node-esm.js'),
  moduleFileExtensions: ['ts', 'js', 'html'],
  coverageDirectory: '../../coverage/libs/server-runtime',
};
