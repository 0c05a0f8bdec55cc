module.exports = {
  ...require('../../tools/jest/angular.js'),
  displayName: 'mfe-workloads',
  coverageDirectory: '../../coverage/apps/mfe-workloads',
};
