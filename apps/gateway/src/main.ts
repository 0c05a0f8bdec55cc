import { listen, runService } from '@cairn/server-runtime';
import { createGateway, gatewayOptions } from './app/gateway';
import { readGatewaySettings } from './app/settings/gateway-settings';

runService(async () => {
  const settings = readGatewaySettings(process.env, process.cwd());
  await listen(await createGateway(settings), gatewayOptions(settings));
});
