import nx from '@nx/eslint-plugin';
import baseConfig from '../../eslint.config.mjs';

/** Lint rules every Angular project here shares: Angular's recommended rules, `cairn-` selectors. */
export default [
  ...nx.configs['flat/angular'],
  ...nx.configs['flat/angular-template'],
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix: 'cairn', style: 'camelCase' }],
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: 'cairn', style: 'kebab-case' }],
    },
  },
];
