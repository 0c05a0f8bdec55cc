import { flagsToEnvironment, listen, runService } from '@cairn/server-runtime';
import { authServiceOptions, createAuthService } from './app/auth-service';
import { AUTH_SETTING_NAMES, readAuthSettings } from './app/settings/auth-settings';

runService(async () => {
  const settings = readAuthSettings({ ...process.env, ...flagsToEnvironment(process.argv.slice(2), AUTH_SETTING_NAMES) });
  await listen(await createAuthService(settings), authServiceOptions(settings));
});
