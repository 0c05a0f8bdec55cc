import { createService, listen, runService } from '@cairn/server-runtime';
import { AppModule } from './app/app.module';
import { readAuthSettings } from './app/settings/auth-settings';

runService(async () => {
  const settings = readAuthSettings(process.env);
  const options = { name: 'auth-service', host: settings.host, port: settings.port, logLevel: settings.logLevel };
  await listen(await createService(AppModule, options), options);
});
