import { DynamicModule, Module } from '@nestjs/common';
import { fromConsoleGuard, HealthModule, MetricsRegistry } from '@cairn/server-runtime';
import { AuthController } from './auth.controller';
import { GatewayClient } from './gateway-client';
import { OidcClient } from './oidc/oidc-client';
import { SignInFlow } from './oidc/sign-in';
import { Sessions } from './session/sessions';
import { AUTH_SETTINGS, AuthSettings } from './settings/auth-settings';
import { VersionController } from './version/version.controller';

@Module({})
export class AppModule {
  static forSettings(settings: AuthSettings, metrics: MetricsRegistry): DynamicModule {
    const sessions = new Sessions(settings);
    const oidc = settings.oidc ? new OidcClient(settings.oidc, settings.extraCa) : null;
    return {
      module: AppModule,
      // Ready whenever the process is: an unreachable provider is reported on the sign-in
      // page, and must not take bearer-token sign-in (or the console) out of service.
      imports: [HealthModule.register(() => [{ name: 'process', ok: true }])],
      controllers: [VersionController, AuthController],
      providers: [
        { provide: AUTH_SETTINGS, useValue: settings },
        { provide: MetricsRegistry, useValue: metrics },
        { provide: Sessions, useValue: sessions },
        { provide: OidcClient, useValue: oidc },
        { provide: SignInFlow, useValue: oidc ? new SignInFlow(oidc, sessions.stateBox, sessions.names.state) : null },
        GatewayClient,
        // Every sign-in and sign-out acts on the session cookie: no request is exempt.
        ...fromConsoleGuard({ action: 'sign in or out here', isConsole: (origin) => origin === settings.publicUrl.origin }),
      ],
    };
  }
}
