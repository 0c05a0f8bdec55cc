export * from './lib/mfe-manifest/mfe-manifest';
export * from './lib/service-status/service-status';
