import { flagsToEnvironment, listen, runService } from '@cairn/server-runtime';
import { CONSOLE_SETTING_NAMES, createConsole } from './app/console';

runService(async () => {
  const { gateway, options } = await createConsole({ ...process.env, ...flagsToEnvironment(process.argv.slice(2), CONSOLE_SETTING_NAMES) }, process.cwd());
  await listen(gateway, options);
});
