import type { Page } from 'playwright-core';

/** Types `command` and Enter into the page's terminal (xterm), then waits until its screen shows `expected`. */
export async function typeAndRead(page: Page, command: string, expected: string): Promise<void> {
  await page.getByRole('main').locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(`${command}\n`);
  await page.waitForFunction((text) => (document.querySelector('.xterm-rows') as HTMLElement | null)?.innerText.includes(text), expected, { timeout: 20_000 });
}
