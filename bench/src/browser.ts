import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, CDPSession, chromium } from 'playwright-core';
import { sessionCookie } from './bench-cluster';
import type { Console } from './services';

/** Debian's Chromium, as the browser tests use it; `CAIRN_CHROMIUM` points elsewhere. */
const executablePath = process.env['CAIRN_CHROMIUM'] ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath}: apt-get install -y chromium, or set CAIRN_CHROMIUM`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--enable-precise-memory-info'],
  });
}

/** A fresh browser profile (empty cache) signed in as the dev user `admin`, its session sealed as the auth service seals it. */
export async function signedInContext(browser: Browser, cairn: Console, token: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const cookie = await sessionCookie(cairn.sessionKey, token, 'admin@cairn.test');
  await context.addCookies([{ ...cookie, url: cairn.gateway.url }]);
  return context;
}

/**
 * A JavaScript CPU profile of the page while `work` runs (Chromium's Profiler, the same format
 * as node --cpu-prof), written to `<dir>/page.cpuprofile` for profile.ts and DevTools.
 */
export async function profilePage(cdp: CDPSession, dir: string, work: () => Promise<void>): Promise<void> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
  await cdp.send('Profiler.start');
  try {
    await work();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'page.cpuprofile'), JSON.stringify(profile));
  }
}
