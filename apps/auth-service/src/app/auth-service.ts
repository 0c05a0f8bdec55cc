import { createService, MetricsRegistry, ServiceOptions } from '@cairn/server-runtime';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { AuthSettings } from './settings/auth-settings';

export function authServiceOptions(settings: AuthSettings, metrics = new MetricsRegistry()): ServiceOptions {
  return { name: 'auth-service', host: settings.host, port: settings.port, logLevel: settings.logLevel, logFormat: settings.logFormat, metrics };
}

/** The whole auth service, ready to listen: what `main.ts` starts and the tests drive. */
export function createAuthService(settings: AuthSettings): Promise<NestFastifyApplication> {
  const metrics = new MetricsRegistry();
  return createService(AppModule.forSettings(settings, metrics), authServiceOptions(settings, metrics));
}
