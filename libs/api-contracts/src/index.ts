export * from './lib/mfe-manifest/mfe-manifest';
export * from './lib/service-status/service-status';
export * from './lib/kube-api/kube-api';
export * from './lib/auth-api/auth-api';
export * from './lib/kube-api/manifest-yaml';
export * from './lib/kube-api/drain-events';
export * from './lib/exec/exec-protocol';
export * from './lib/console-settings/console-settings';
