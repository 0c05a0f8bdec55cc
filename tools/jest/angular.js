/**
 * The Jest settings every Angular project here shares (the shell, the remotes, the UI kit):
 * zoneless TestBed from `src/test-setup.ts`, templates compiled by jest-preset-angular.
 * A project's own jest.config.cts adds its name and coverage folder.
 */
module.exports = {
  // Relative to each project's folder: every Angular project sits two levels down.
  preset: '../../jest.preset.js',
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  transform: {
    '^.+\\.(ts|mjs|js|html)$': [
      'jest-preset-angular',
      {
        tsconfig: '<rootDir>/tsconfig.spec.json',
        stringifyContentPathRegex: '\\.(html|svg)$',
      },
    ],
  },
  transformIgnorePatterns: ['node_modules/(?!.*\\.mjs$)'],
  snapshotSerializers: [
    'jest-preset-angular/build/serializers/no-ng-attributes',
    'jest-preset-angular/build/serializers/ng-snapshot',
    'jest-preset-angular/build/serializers/html-comment',
  ],
};
