export * from './lib/settings/settings';
export * from './lib/http/error-body.filter';
export * from './lib/http/start-service';
export * from './lib/health/health';
export * from './lib/metrics/metrics';
export * from './lib/settings/flags';
export * from './lib/settings/settings-file';
export * from './lib/http/heap-limit';
