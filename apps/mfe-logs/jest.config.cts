module.exports = {
  ...require('../../tools/jest/angular.js'),
  displayName: 'mfe-logs',
  coverageDirectory: '../../coverage/apps/mfe-logs',
};
