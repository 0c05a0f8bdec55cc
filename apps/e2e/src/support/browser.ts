import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

/** Debian's Chromium; playwright-core never downloads a browser. `CAIRN_CHROMIUM` points elsewhere. */
const executablePath = process.env['CAIRN_CHROMIUM'] ?? '/usr/bin/chromium';
export const screenshotDirectory = resolve(__dirname, '../../../../dist/e2e-screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: apt-get install -y chromium (as .ci/run does), or set CAIRN_CHROMIUM`);
  }
  return chromium.launch({
    executablePath,
    headless: process.env['CAIRN_HEADED'] !== '1',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/** Keeps what the user saw, so a person can look at it after the run, pass or fail. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path: join(screenshotDirectory, `${name}.png`), fullPage: true });
}

/** Every path the page requested, for checking where code came from. */
export function recordRequests(page: Page): string[] {
  const paths: string[] = [];
  page.on('request', (request) => paths.push(new URL(request.url()).pathname));
  return paths;
}
