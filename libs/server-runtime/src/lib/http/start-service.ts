import { DynamicModule, INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ErrorBodyFilter, NotFoundFallback } from './error-body.filter';
import { LOG_LEVELS, LogLevel, SettingError } from '../settings/settings';

export interface ServiceOptions {
  /** The service's name in logs. */
  name: string;
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Fastify plugins and routes that live outside Nest's controllers (static files, proxies). */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
  /** Answers requests for paths nothing else serves, before they become a 404 error body. */
  notFoundFallback?: NotFoundFallback;
}

/** Creates the Nest application on Fastify with the conventions every Cairn service shares. */
export async function createService(module: Type<unknown> | DynamicModule, options: ServiceOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    // Request bodies are YAML manifests at most; 2 MiB leaves room without inviting abuse.
    new FastifyAdapter({ bodyLimit: 2 * 1024 * 1024, trustProxy: true }),
    {
      logger: LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(options.logLevel) + 1) as LogLevel[],
      // Let start-up errors reach runService, which knows a bad setting from a bug.
      abortOnError: false,
    },
  );
  app.useGlobalFilters(new ErrorBodyFilter(options.notFoundFallback));
  app.enableShutdownHooks();
  await options.configure?.(app);
  return app;
}

/** Starts listening and logs where; a port that is taken ends the process with a clear message. */
export async function listen(app: INestApplication, options: ServiceOptions): Promise<void> {
  try {
    await app.listen(options.port, options.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const reason = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
      Logger.error(`${options.host}:${options.port} ${reason}; choose another port with the service's port setting`, options.name);
      process.exit(1);
    }
    throw error;
  }
  Logger.log(`listening on http://${options.host}:${options.port}`, options.name);
}

/**
 * Runs a service's start-up. A `SettingError` anywhere in it (reading settings, building
 * providers) becomes one line on stderr and exit code 2; anything else exits 1 with its stack.
 */
export function runService(start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    if (error instanceof SettingError) {
      process.stderr.write(`Cairn cannot start: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`Cairn failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
