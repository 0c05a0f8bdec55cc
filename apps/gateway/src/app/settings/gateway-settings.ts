import { Environment, LOG_LEVELS, LogLevel, SettingsReader } from '@cairn/server-runtime';

/** Everything the gateway is told at start-up; read once, validated, then immutable. */
export interface GatewaySettings {
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Where the built front ends are: `<webRoot>/shell/browser` and `<webRoot>/mfe-<x>/browser`. */
  webRoot: string;
  /** A JSON file listing remotes served elsewhere (the Helm chart's `remotes` value). */
  remotesFile?: string;
  /** The auth service; `/auth/*` and `/oidc-callback` are forwarded to it. */
  authServiceUrl: URL;
}

export const GATEWAY_SETTINGS = Symbol('GATEWAY_SETTINGS');

export function readGatewaySettings(env: Environment, cwd: string): GatewaySettings {
  const read = new SettingsReader(env);
  return {
    host: read.host('CAIRN_HOST', '127.0.0.1'),
    port: read.port('CAIRN_PORT', 4466),
    logLevel: read.oneOf('CAIRN_LOG_LEVEL', LOG_LEVELS, 'log'),
    webRoot: read.directory('CAIRN_WEB_ROOT', 'dist/apps', cwd),
    remotesFile: read.optionalFile('CAIRN_REMOTES_FILE', cwd),
    authServiceUrl: read.url('CAIRN_AUTH_SERVICE_URL', 'http://127.0.0.1:4467'),
  };
}
