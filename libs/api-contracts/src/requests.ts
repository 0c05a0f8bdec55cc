/**
 * `@cairn/api-contracts/requests`: the validation schemas of every request the gateway and the
 * auth service take (zod), apart from the main entry so that a front end that only needs the
 * types and constants loads no validator.
 */
export * from './lib/requests/kube-names';
export * from './lib/requests/gateway-requests';
export * from './lib/requests/auth-requests';
export * from './lib/requests/node-requests';
export * from './lib/requests/debug-requests';
export * from './lib/requests/helm-requests';
export * from './lib/requests/metrics-requests';
export * from './lib/requests/search-requests';
