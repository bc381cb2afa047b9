/** Small steps the browser tests share: the first-run form, signing in, calling a bridge channel. */
import type { Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { shot } from './harness';

/** An operator's name and password. */
export interface Login {
  name: string;
  password: string;
}

/** Calls a bridge channel from a signed-in page, as the renderer does. */
export async function bridge(
  page: Page,
  channel: string,
  body: unknown,
): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }> {
  return page.evaluate(
    async ([c, b]) => {
      const r = await fetch(`/bridge/${encodeURIComponent(c as string)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-gwjs-bridge': '1' },
        body: JSON.stringify(b),
      });
      return (await r.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
    },
    [channel, body] as const,
  );
}

/** Trades the one-time setup password for the first admin and waits for the dashboard. */
export async function firstRun(page: Page, setupPassword: string, admin: Login): Promise<void> {
  await page.getByLabel('Setup password').fill(setupPassword);
  await page.getByLabel('Operator name').fill(admin.name);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Repeat password').fill(admin.password);
  await page.getByRole('button', { name: /Create administrator/ }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Signs in on the login form. */
export async function signIn(page: Page, who: Login): Promise<void> {
  await page.getByLabel('Operator name').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await page.getByLabel('Password').press('Enter');
}

/** How far the page (or its scrolling main area) reaches past the window's right edge, px. */
export function sidewaysOverflow(page: Page): Promise<{ page: number; main: number; widest: string }> {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    // name the widest element, so a failure says what to fix
    let widest = '';
    let right = main ? main.getBoundingClientRect().right : innerWidth;
    for (const el of document.querySelectorAll<HTMLElement>('main *')) {
      const r = el.getBoundingClientRect();
      if (r.right > right + 0.5 && !el.closest('.vt, .table-scroll, .tabs')) {
        right = r.right;
        widest = `${el.tagName.toLowerCase()}.${el.className} “${(el.textContent ?? '').slice(0, 40)}”`;
      }
    }
    return {
      page: document.documentElement.scrollWidth - innerWidth,
      main: main ? main.scrollWidth - main.clientWidth : 0,
      widest,
    };
  });
}

/** After each failed test, a screenshot of the page `page()` (if any) as `FAILED-<prefix>-<test>`. */
export function screenshotFailures(prefix: string, page: () => Page | undefined): void {
  afterEach(async (ctx) => {
    const p = page();
    if (ctx.task.result?.state !== 'fail' || p === undefined) return;
    await shot(p, `FAILED-${prefix}-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 50)}`).catch(
      () => undefined,
    );
  });
}
