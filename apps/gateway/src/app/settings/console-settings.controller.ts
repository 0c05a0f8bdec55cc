import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ConsoleSettings } from '@cairn/api-contracts';
import { GATEWAY_SETTINGS, GatewaySettings } from './gateway-settings';

@ApiTags('console')
@Controller('api/v1')
export class ConsoleSettingsController {
  private readonly answer: ConsoleSettings;

  constructor(@Inject(GATEWAY_SETTINGS) settings: GatewaySettings) {
    this.answer = { readOnly: settings.readOnly ?? false, ...(settings.accessHelp ? { accessHelp: settings.accessHelp } : {}) };
  }

  /** What the administrator set for every front end: CAIRN_READ_ONLY and CAIRN_ACCESS_HELP(_URL). */
  @Get('console-settings')
  @Header('cache-control', 'no-cache')
  @ApiOkResponse({ description: 'What the administrator set for everyone: `readOnly` (CAIRN_READ_ONLY) and `accessHelp` `{text, link?}` (CAIRN_ACCESS_HELP, CAIRN_ACCESS_HELP_URL), shown with every refusal.' })
  settings(): ConsoleSettings {
    return this.answer;
  }
}
