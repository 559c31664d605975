// Shared Playwright harness for the e2e tests.
//
// Uses playwright-core (no bundled browsers, nothing downloaded) with Debian's
// chromium. Every page is watched: any console error, uncaught page error or
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

const { chromium } = requirePackage('playwright-core');

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
 * Runs `body(page)` in a fresh Chromium with a fresh profile, then fails if
 * the page logged console errors, threw, or contacted another origin.
 * On failure a `<name>-failure.png` screenshot is kept for diagnosis.
 */
export async function withPage(name, body, { allowErrors } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'sockscope-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.SOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = watch(page);
  try {
    await body(page);
    // One assertion, so a failure shows errors and foreign requests together.
    const errors = problems.errors.filter((e) => !(allowErrors && allowErrors.test(e)));
    const seen = { errors, foreignRequests: foreign(problems.requests) };
    assert.deepEqual(seen, { errors: [], foreignRequests: [] }, 'page logged errors or left its origin');
  } catch (error) {
    await page.screenshot({ path: shotPath(`${name}-failure.png`), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** Collects console errors, uncaught exceptions and every requested URL. */
function watch(page) {
  const problems = { errors: [], requests: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.errors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => problems.requests.push(request.url()));
  return problems;
}

/** Requested URLs whose origin differs from the app's (data:/blob: are local). */
function foreign(urls) {
  const origin = new URL(appUrl()).origin;
  return urls.filter((url) => {
    const { protocol, origin: o } = new URL(url);
    return protocol !== 'data:' && protocol !== 'blob:' && o !== origin;
  });
}

/** Runs axe-core in the page and returns its violations (for a11y tests). */
export async function axeViolations(page) {
  const axePath = path.join(path.dirname(require.resolve(packageSpecifier('axe-core'))), 'axe.min.js');
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy
  // (rightly) refuses an injected inline <script>.
  await page.evaluate(readFileSync(axePath, 'utf8'));
  const result = await page.evaluate(() => globalThis.axe.run());
  return result.violations;
}
