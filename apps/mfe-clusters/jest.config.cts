module.exports = {
  ...require('../../tools/jest/angular.js'),
  displayName: 'mfe-clusters',
  coverageDirectory: '../../coverage/apps/mfe-clusters',
};
