module.exports = {
  ...require('../../tools/jest/angular.js'),
  displayName: 'ui-kit',
  coverageDirectory: '../../coverage/libs/ui-kit',
};
