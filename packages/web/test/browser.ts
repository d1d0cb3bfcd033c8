import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium, which `apt-get install -y chromium` installs. */
export const CHROMIUM = "/usr/bin/chromium";

/** Folder for screenshots that a reader checks by eye; WEB_SHOTS_DIR overrides it. */
export const SHOTS_DIR = process.env.WEB_SHOTS_DIR ?? "/tmp/web-shots";

/** Flags for a headless Chromium on a machine whose network reaches nothing but loopback. */
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh profile folder, removed again on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with apt-get install chromium.`);
  }
  await mkdir(SHOTS_DIR, { recursive: true });
  const profile = await mkdtemp(join(tmpdir(), "incident-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as SHOTS_DIR/NAME.png. */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * Marks the current document, so a test can check later that the page changed in place
 * rather than by a reload.
 */
export async function markDocument(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { sameDocument: boolean }).sameDocument = true;
  });
}

export async function isSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(
    () => (window as unknown as { sameDocument?: boolean }).sameDocument === true,
  );
}
