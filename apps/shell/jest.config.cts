module.exports = {
  ...require('../../tools/jest/angular.js'),
  displayName: 'shell',
  coverageDirectory: '../../coverage/apps/shell',
};
