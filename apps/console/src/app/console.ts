/* eslint-disable @nx/enforce-module-boundaries -- the all-in-one process is exactly the two services' own modules, run side by side. */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ServiceOptions } from '@cairn/server-runtime';
import { createAuthService } from '../../../auth-service/src/app/auth-service';
import { GatewayClient } from '../../../auth-service/src/app/gateway-client';
import { AUTH_SETTING_NAMES, readAuthSettings } from '../../../auth-service/src/app/settings/auth-settings';
import { createGateway, gatewayOptions } from '../../../gateway/src/app/gateway';
import { GATEWAY_SETTING_NAMES, readGatewaySettings } from '../../../gateway/src/app/settings/gateway-settings';
import type { InProcessAuth } from '../../../gateway/src/app/web/auth-proxy';

/** Every setting the all-in-one process reads: the gateway's and the auth service's, by their own names. */
export const CONSOLE_SETTING_NAMES = [...new Set([...GATEWAY_SETTING_NAMES, ...AUTH_SETTING_NAMES])];

export interface Console {
  /** The one application that listens (the gateway's port, CAIRN_PORT). */
  gateway: NestFastifyApplication;
  /** The auth service, initialised but listening on no port: the gateway hands it `/auth/*` in memory. */
  auth: NestFastifyApplication;
  /** What `listen` needs: the gateway's host and port. */
  options: ServiceOptions;
  close(): Promise<void>;
}

/**
 * The whole console in one Node process, for small installs (seed 001's pod: one container,
 * 100m CPU, 128 MiB): the gateway and the auth service are both built from their own modules,
 * with their own settings read from the same environment, but only the gateway listens. The
 * gateway gives the auth service its requests (`/auth/*`, `/oidc-callback`) through Fastify's
 * `inject`, and the auth service asks the gateway who a token is the same way: no loopback
 * connection either way, one V8 heap, one copy of the shared code.
 *
 * Errors: a bad setting of either service throws its SettingError (runService turns it into one
 * line and exit code 2).
 */
export async function createConsole(env: Record<string, string | undefined>, cwd: string): Promise<Console> {
  const authSettings = readAuthSettings(env);
  const gatewaySettings = readGatewaySettings(env, cwd);
  const auth = await createAuthService(authSettings);
  await auth.init();
  const authServer = auth.getHttpAdapter().getInstance();
  await authServer.ready();
  const toAuth: InProcessAuth = async (request) => {
    const answer = await authServer.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: Object.fromEntries(Object.entries(request.headers).filter((e): e is [string, string | string[]] => e[1] !== undefined)),
      ...(request.payload ? { payload: request.payload } : {}),
      remoteAddress: request.remoteAddress,
    });
    return { statusCode: answer.statusCode, headers: answer.headers, rawPayload: answer.rawPayload };
  };
  const gateway = await createGateway(gatewaySettings, toAuth);
  const gatewayServer = gateway.getHttpAdapter().getInstance();
  auth.get(GatewayClient).useTransport(async (path, headers) => {
    const answer = await gatewayServer.inject({ method: 'GET', url: path, headers });
    return { status: answer.statusCode, body: answer.body };
  });
  return {
    gateway,
    auth,
    options: gatewayOptions(gatewaySettings, toAuth),
    close: async () => {
      await gateway.close();
      await auth.close();
    },
  };
}
