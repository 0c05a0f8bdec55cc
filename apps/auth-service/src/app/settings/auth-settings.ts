import { Environment, LOG_LEVELS, LogLevel, SettingsReader } from '@cairn/server-runtime';

/** What the auth service is told at start-up; read once, validated, then immutable. */
export interface AuthSettings {
  host: string;
  port: number;
  logLevel: LogLevel;
}

export function readAuthSettings(env: Environment): AuthSettings {
  const read = new SettingsReader(env);
  return {
    host: read.host('CAIRN_AUTH_HOST', '127.0.0.1'),
    port: read.port('CAIRN_AUTH_PORT', 4467),
    logLevel: read.oneOf('CAIRN_LOG_LEVEL', LOG_LEVELS, 'log'),
  };
}
