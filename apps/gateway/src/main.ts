import { flagsToEnvironment, listen, runService } from '@cairn/server-runtime';
import { createGateway, gatewayOptions } from './app/gateway';
import { GATEWAY_SETTING_NAMES, readGatewaySettings } from './app/settings/gateway-settings';

runService(async () => {
  const settings = readGatewaySettings({ ...process.env, ...flagsToEnvironment(process.argv.slice(2), GATEWAY_SETTING_NAMES) }, process.cwd());
  await listen(await createGateway(settings), gatewayOptions(settings));
});
