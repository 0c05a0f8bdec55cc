export * from './lib/mfe-manifest/mfe-manifest';
export * from './lib/service-status/service-status';
export * from './lib/kube-api/kube-api';
