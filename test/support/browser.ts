import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium: `npx playwright install` cannot download a browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-screenshots');

/** Why the browser tests cannot run on this machine, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (!existsSync(new URL('../../portal/dist/index.html', import.meta.url))) return 'the portal is not built (npm run build)';
  return undefined;
}

export interface Person {
  context: BrowserContext;
  page: Page;
}

/** Chromium as these machines need it (see the README's testing notes); each person is a fresh profile. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const DESKTOP_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export interface BrowserSession {
  /** One person: their own browser profile (cookies and all), at a viewport. */
  person(viewport?: { width: number; height: number }): Promise<Person>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<BrowserSession> {
  const opened: Array<{ context: BrowserContext; profile: string }> = [];
  return {
    async person(viewport = { width: 1280, height: 900 }) {
      const profile = await mkdtemp(path.join(os.tmpdir(), 'partnerline-chromium-'));
      // Playwright passes the fresh profile to Chromium as --user-data-dir.
      // A headless browser's own user agent names it a bot, and the tracker would not count its clicks.
      const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport, headless: true, userAgent: DESKTOP_CHROME });
      opened.push({ context, profile });
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(10_000);
      return { context, page };
    },
    async close() {
      for (const { context, profile } of opened) {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      }
    },
  };
}

const AXE = await readFile(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8').catch(() => '');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's serious and critical findings on the page as it stands. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate<AxeViolation[]>('axe.run(document).then((result) => result.violations)');
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`);
}

/** Saves what the page shows, for a reviewer, under test-screenshots/<role>/<name>.png. */
export async function screenshot(page: Page, role: string, name: string): Promise<void> {
  await mkdir(path.join(SCREENSHOTS, role), { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, role, `${name}.png`), fullPage: true });
}
