import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

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

/**
 * Prints, in the test's output, what the console itself reported as broken in `context`'s pages:
 * uncaught exceptions and `console.error` (Angular's error handler logs there, and a remote that
 * throws is replaced by an error panel). A failed request's own "Failed to load resource" line is
 * left out: refusals are expected in many stories and each says so on the page. A story that
 * fails in CI then shows why the page changed, where the screenshot is not kept. At most `max`
 * lines per context, each at most 2 000 characters.
 */
export function reportPageErrors(context: BrowserContext, who: string, max = 20): void {
  let reported = 0;
  const report = (line: string) => {
    reported++;
    if (reported <= max) console.log(`browser (${who}) ${line.slice(0, 2_000)}`);
    else if (reported === max + 1) console.log(`browser (${who}): more than ${max} errors; the rest are not printed`);
  };
  context.on('weberror', (error) => report(`uncaught: ${error.error().stack ?? error.error().message}`));
  context.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) report(`console.error at ${message.page()?.url() ?? '?'}: ${message.text()}`);
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
