module.exports = {
  ...require('../../tools/jest/angular.js'),
  displayName: 'shell',
  coverageDirectory: '../../coverage/apps/shell',
  // The federation runtime takes Native Federation's chunk naming from its domain entry, plain ES modules.
  transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|@softarc/native-federation/))'],
};
