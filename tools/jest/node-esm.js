/**
 * Packages the Node services use that ship only ES modules. Jest runs CommonJS, so ts-jest
 * must transform them; everything else in node_modules stays untransformed for speed.
 */
const esmOnly = [
  'content-disposition',
  '@kubernetes/client-node',
  'openid-client',
  'oauth4webapi',
  'jose',
  'jsonpath-plus',
  'jsep',
  '@jsep-plugin',
  'rfc4648',
  'socks-proxy-agent',
  'agent-base',
];

module.exports = {
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
};
