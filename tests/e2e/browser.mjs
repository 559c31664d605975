// Shared harness for the e2e tests, in the browser SOCKSCOPE_BROWSER names:
// `chromium` (the default) through playwright-core with Debian's chromium, or
// `firefox` through puppeteer-core over WebDriver BiDi with Debian's firefox-esr
// (firefox.mjs gives that page Playwright's surface). Nothing is downloaded.
// Every page is watched in both: any console error, uncaught page error or
// request to another origin fails the test, because the app must be fully
// self-contained and silent when healthy.
//
// Packages come from the npm cache that `cargo xtask test` prepares, outside
// the repo. ESM `import` ignores NODE_PATH, so we use a CommonJS `require`
// (createRequire), which honours NODE_PATH, or the absolute directory that
// xtask passes in SOCKSCOPE_NODE_MODULES.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS } from './chromium-args.mjs';
import { launchFirefox } from './firefox.mjs';

const require = createRequire(import.meta.url);

/** An npm package's specifier: absolute in the xtask cache, else bare (NODE_PATH). */
function packageSpecifier(name) {
  const dir = process.env.SOCKSCOPE_NODE_MODULES;
  return dir ? path.join(dir, name) : name;
}

/** Loads an npm package from the xtask cache. */
export function requirePackage(name) {
  return require(packageSpecifier(name));
}

/** The browser under test: `chromium` or `firefox`. */
export function browserName() {
  const name = process.env.SOCKSCOPE_BROWSER ?? 'chromium';
  assert.ok(['chromium', 'firefox'].includes(name), `SOCKSCOPE_BROWSER=${name}: expected chromium or firefox`);
  return name;
}

const VIEWPORT = { width: 1280, height: 800 };

/** The app under test (set by `cargo xtask test`). */
export function appUrl() {
  const url = process.env.SOCKSCOPE_URL;
  assert.ok(url, 'SOCKSCOPE_URL is not set; run the e2e tests via `cargo xtask test`');
  return url;
}

/** Where screenshots go (created on demand); defaults under target/. */
export function shotPath(name) {
  const dir = process.env.SOCKSCOPE_SHOTS ?? path.resolve('target', 'e2e');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/**
 * Runs `body(page)` in a fresh browser with a fresh profile, then fails if
 * the page logged console errors, threw, or contacted another origin than
 * `home`'s (the app's URL unless given; a file: page may load only itself).
 * On failure a `<name>-failure.png` screenshot is kept for diagnosis.
 * `chromiumArgs` are flags added to Chromium's (such as UNCAPPED_FRAMES).
 */
export async function withPage(name, body, { allowErrors, home, chromiumArgs = [] } = {}) {
  const problems = { errors: [], requests: [] };
  const { page, close } = await launch((raw) => watch(raw, problems), chromiumArgs);
  try {
    await body(page);
    // One assertion, so a failure shows errors and foreign requests together.
    const errors = problems.errors.filter((e) => !(allowErrors && allowErrors.test(e)));
    const seen = { errors, foreignRequests: foreign(problems.requests, home ?? appUrl()) };
    assert.deepEqual(seen, { errors: [], foreignRequests: [] }, 'page logged errors or left its origin');
  } catch (error) {
    await page.screenshot({ path: shotPath(`${name}-failure.png`), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    await close();
  }
}

/** A fresh browser's first page, with `watch` attached to every page it opens. */
async function launch(watchPage, chromiumArgs) {
  if (browserName() === 'firefox') {
    return launchFirefox(requirePackage('puppeteer-core'), {
      executablePath: process.env.SOCKSCOPE_FIREFOX ?? '/usr/bin/firefox-esr',
      viewport: VIEWPORT,
      watch: watchPage,
    });
  }
  const { chromium } = requirePackage('playwright-core');
  const profile = mkdtempSync(path.join(tmpdir(), 'sockscope-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.SOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...chromiumArgs],
    viewport: VIEWPORT,
  });
  context.on('page', watchPage);
  const page = context.pages()[0] ?? (await context.newPage());
  watchPage(page);
  return {
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const watched = new WeakSet();

/** Collects console errors, uncaught exceptions and every requested URL (both drivers
 * name these events alike). */
function watch(page, problems) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => problems.requests.push(request.url()));
}

/** Requested URLs whose origin differs from `home`'s (data:/blob: are local); a
 * file: page may request only its own file. */
function foreign(urls, home) {
  const own = new URL(home);
  return urls.filter((url) => {
    const u = new URL(url);
    if (u.protocol === 'data:' || u.protocol === 'blob:') return false;
    if (own.protocol === 'file:') return u.protocol !== 'file:' || u.pathname !== own.pathname;
    return u.origin !== own.origin;
  });
}

/** Runs axe-core in the page and returns its violations (for a11y tests). */
export async function axeViolations(page) {
  const axePath = path.join(path.dirname(require.resolve(packageSpecifier('axe-core'))), 'axe.min.js');
  // Evaluated by the driver (DevTools protocol or WebDriver BiDi): the page's Content-Security-Policy
  // (rightly) refuses an injected inline <script>.
  await page.evaluate(readFileSync(axePath, 'utf8'));
  const result = await page.evaluate(() => globalThis.axe.run());
  return result.violations;
}

/** Types each line into the page's console and runs it, one after another. */
export async function consoleLines(page, texts) {
  for (const text of texts) {
    await page.fill('[data-testid="console-input"]', text);
    await page.press('[data-testid="console-input"]', 'Enter');
  }
}
