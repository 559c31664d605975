// The Firefox backend of the e2e harness: Debian's firefox-esr driven by
// puppeteer-core over WebDriver BiDi (Playwright's own Firefox build cannot be
// downloaded here, and Playwright cannot drive a stock Firefox).
//
// The tests are written against the small part of Playwright's API they use
// (page.locator(...).click(), waitFor(), innerText(), page.waitForFunction(fn, arg),
// ...). This file gives a puppeteer page that same surface, so each test file runs
// unchanged in both browsers. What Playwright does here, this does too:
// - locators are lazy chains (CSS, `:has-text("...")`, filter({ hasText }), nth,
//   frameLocator) resolved in the page each time they are used;
// - an action waits (up to 30 s) for its element: to be attached, and for
//   clicks, checks and fills to be visible and enabled (a click also for it to
//   hold still inside the viewport), then uses real input events;
// - a download (`waitForEvent('download')`) is the file Firefox really saved: each
//   browser saves into a folder of its own without asking, and the event is the
//   next finished file to appear there;
// - what a test's function returns comes back as its JSON (a DOMRect too).
// Locators resolve in the page through strings evaluated by the driver, never
// through `eval` in the page, so the page's Content-Security-Policy stays strict.
// Where this differs from Playwright: locators are not strict (the first match
// is used when several match), and fill() sets the value with one input event.

import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const TIMEOUT = 30_000;
const POLL = 50;

/**
 * Starts Firefox with a fresh profile and returns `{ page, close }`, the page
 * wrapped in Playwright's surface. `watch(rawPage)` is called on every page
 * (the first and those from context().newPage()) before it loads anything.
 */
export async function launchFirefox(puppeteer, { executablePath, viewport, watch }) {
  const profile = mkdtempSync(path.join(tmpdir(), 'sockscope-e2e-firefox-'));
  const downloads = mkdtempSync(path.join(tmpdir(), 'sockscope-e2e-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    userDataDir: profile,
    defaultViewport: viewport,
    extraPrefsFirefox: { ...QUIET_PREFS, ...downloadPrefs(downloads) },
  });
  const open = async () => {
    const raw = await browser.newPage();
    watch(raw);
    await raw.setViewport(viewport);
    return new FxPage(raw, context, downloads);
  };
  const context = {
    newPage: open,
    // Firefox has no clipboard permissions to grant: it lets a page write to the
    // clipboard during a click (what the app does) and asks the user before a read.
    // Anything else is refused here rather than silently ignored.
    grantPermissions: async (names) => {
      const other = names.filter((n) => n !== 'clipboard-read' && n !== 'clipboard-write');
      if (other.length) throw new Error(`the Firefox backend cannot grant ${other.join(', ')}`);
    },
  };
  const page = await open();
  return {
    page,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}

/** No background traffic (updates, telemetry, safe browsing, captive portal checks). */
const QUIET_PREFS = {
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'toolkit.telemetry.enabled': false,
};

/** Firefox saves every download into `dir` at once, without a dialog. */
function downloadPrefs(dir) {
  return {
    'browser.download.folderList': 2,
    'browser.download.dir': dir,
    'browser.download.useDownloadDir': true,
    'browser.download.always_ask_before_handling_new_types': false,
    'browser.download.start_downloads_in_tmp_dir': false,
  };
}

/** The next finished file (not Firefox's `.part`) to appear in `dir` after `before`,
 * as Playwright's Download: its name and a copy. */
async function nextDownload(dir, before) {
  const name = await until(() => {
    const files = readdirSync(dir).filter((f) => !before.has(f) && !f.endsWith('.part'));
    const busy = readdirSync(dir).some((f) => f.endsWith('.part'));
    return !busy && files[0];
  }, `a download into ${dir}`);
  return {
    suggestedFilename: () => name,
    saveAs: async (file) => copyFileSync(path.join(dir, name), file),
    path: async () => path.join(dir, name),
  };
}

/** Waits until `probe()` returns a truthy value, or fails with `what` after `timeout` ms.
 * A probe that throws (the page was navigating) counts as not yet. */
async function until(probe, what, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  let last = null;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      const why = last ? ` (last error: ${last.message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, POLL));
  }
}

// Runs in the page (as source text): the elements a chain of steps selects.
// Playwright's text matching: whitespace collapsed, a string case-insensitively
// contained, a regular expression tested.
const RESOLVE = `(steps) => {
  const norm = (t) => (t || '').replace(/\\s+/g, ' ').trim();
  const matches = (el, text) => text.re
    ? new RegExp(text.re, text.flags).test(norm(el.textContent))
    : norm(el.textContent).toLowerCase().includes(norm(text.s).toLowerCase());
  let scopes = [document];
  let els = null;
  for (const step of steps) {
    if (step.frame) {
      const frames = (els ?? scopes).flatMap((s) => [...s.querySelectorAll(step.frame)]);
      scopes = frames.map((f) => f.contentDocument).filter(Boolean);
      els = null;
    } else if (step.css !== undefined) {
      const found = new Set();
      for (const s of els ?? scopes) for (const el of s.querySelectorAll(step.css)) found.add(el);
      els = [...found].filter((el) => !step.hasText || matches(el, step.hasText));
    } else if (step.nth !== undefined) {
      const el = (els ?? []).at(step.nth);
      els = el ? [el] : [];
    } else if (step.hasText) {
      els = (els ?? []).filter((el) => matches(el, step.hasText));
    }
  }
  return els ?? [];
}`;

// Runs in the page: whether an element is visible (Playwright's rule: a non-empty
// box and not visibility:hidden).
const VISIBLE = `(el) => {
  const r = el.getBoundingClientRect();
  const style = el.ownerDocument.defaultView.getComputedStyle(el);
  return r.width > 0 && r.height > 0 && style.visibility !== 'hidden';
}`;

/**
 * A test's function, wrapped so that its result comes back as JSON text. WebDriver
 * BiDi hands back platform objects such as a DOMRect as empty objects, where
 * Playwright gives their JSON (DOMRect has toJSON); `undefined` stays undefined.
 */
function asJson(fn) {
  return `async (...args) => {
    const value = await (${fn})(...args);
    return value === undefined ? { undefined: true } : { json: JSON.stringify(value) };
  }`;
}

/** An argument as source text (JSON, or `undefined`). */
function literal(arg) {
  return arg === undefined ? 'undefined' : JSON.stringify(arg);
}

function unjson(wrapped) {
  return wrapped.undefined ? undefined : JSON.parse(wrapped.json);
}

/** `:has-text("x")` (at the end of a selector) becomes a text filter on the step. */
function cssStep(selector) {
  const m = selector.match(/^(.*):has-text\("((?:[^"\\]|\\.)*)"\)$/s);
  return m ? { css: m[1], hasText: { s: JSON.parse(`"${m[2]}"`) } } : { css: selector };
}

function textSpec(text) {
  return text instanceof RegExp ? { re: text.source, flags: text.flags } : { s: String(text) };
}

/** A lazy chain of steps, resolved in the page on every use (like Playwright's). */
class FxLocator {
  constructor(page, steps) {
    this.page = page;
    this.steps = steps;
  }

  locator(selector) {
    return new FxLocator(this.page, [...this.steps, cssStep(selector)]);
  }
  first() {
    return this.nth(0);
  }
  last() {
    return this.nth(-1);
  }
  nth(n) {
    return new FxLocator(this.page, [...this.steps, { nth: n }]);
  }
  filter({ hasText }) {
    return new FxLocator(this.page, [...this.steps, { hasText: textSpec(hasText) }]);
  }

  /** Evaluates `fn(elements, arg)` in the page, all as source text. */
  evalAll(fn, arg) {
    const src = `((${RESOLVE})(${JSON.stringify(this.steps)}))`;
    return this.page.raw.evaluate(`(${fn})(${src}, ${literal(arg)})`);
  }

  /** Evaluates `fn(element, arg)` on the first match once there is one (checked and
   * run in one evaluation, so the element cannot go between the two). */
  async evalOne(fn, arg, { visible = false, timeout = TIMEOUT } = {}) {
    const ready = visible ? `(e) => (${VISIBLE})(e)` : '() => true';
    const once = `async (els, arg) => {
      if (els.length === 0 || !(${ready})(els[0])) return null;
      try {
        return { value: await (${fn})(els[0], arg) };
      } catch (error) {
        return { error: String(error && error.message || error) };
      }
    }`;
    const what = `${this.describe()}${visible ? ' to be visible' : ''}`;
    const result = await until(() => this.evalAll(once, arg), what, timeout);
    if ('error' in result) throw new Error(`${what}: ${result.error}`);
    return result.value;
  }

  describe() {
    return `locator ${JSON.stringify(this.steps)}`;
  }

  async count() {
    return this.evalAll('(els) => els.length');
  }
  async all() {
    const n = await this.count();
    return Array.from({ length: n }, (_, i) => this.nth(i));
  }
  async allTextContents() {
    return this.evalAll('(els) => els.map((e) => e.textContent)');
  }
  async allInnerTexts() {
    return this.evalAll('(els) => els.map((e) => e.innerText)');
  }
  async innerText() {
    return this.evalOne('(e) => e.innerText');
  }
  async textContent() {
    return this.evalOne('(e) => e.textContent');
  }
  async getAttribute(name) {
    return this.evalOne('(e, name) => e.getAttribute(name)', name);
  }
  async inputValue() {
    return this.evalOne('(e) => e.value');
  }
  async isVisible() {
    return this.evalAll(`(els) => els.length > 0 && (${VISIBLE})(els[0])`);
  }
  async isChecked() {
    return this.evalOne('(e) => e.checked');
  }
  async isDisabled() {
    return this.evalOne('(e) => e.disabled');
  }
  async isEnabled() {
    return !(await this.isDisabled());
  }
  async evaluate(fn, arg) {
    return unjson(await this.evalOne(asJson(fn), arg));
  }
  async evaluateAll(fn, arg) {
    return unjson(await this.evalAll(asJson(fn), arg));
  }

  async waitFor({ state = 'visible', timeout = TIMEOUT } = {}) {
    const probes = {
      attached: '(els) => els.length > 0',
      detached: '(els) => els.length === 0',
      visible: `(els) => els.length > 0 && (${VISIBLE})(els[0])`,
      hidden: `(els) => els.length === 0 || !(${VISIBLE})(els[0])`,
    };
    await until(() => this.evalAll(probes[state]), `${this.describe()} to be ${state}`, timeout);
  }

  async scrollIntoViewIfNeeded() {
    await this.evalOne("(e) => e.scrollIntoView({ block: 'center', inline: 'center', behavior: 'instant' })");
  }

  /** The element's box in the top page's coordinates (frames' offsets added). */
  async boundingBox() {
    return this.evalOne(`(e) => {
      let r = e.getBoundingClientRect();
      let x = r.left, y = r.top;
      for (let w = e.ownerDocument.defaultView; w.frameElement; w = w.parent) {
        const f = w.frameElement.getBoundingClientRect();
        x += f.left + w.frameElement.clientLeft;
        y += f.top + w.frameElement.clientTop;
      }
      return { x, y, width: r.width, height: r.height };
    }`);
  }

  /** A real mouse click in the middle of the element, once it is visible, enabled,
   * scrolled into view and still (the page may still be laying itself out). */
  async click() {
    await until(
      () => this.evalAll(`(els) => els.length > 0 && (${VISIBLE})(els[0]) && !els[0].disabled`),
      `${this.describe()} to be visible and enabled`,
    );
    let previous = null;
    const box = await until(async () => {
      await this.scrollIntoViewIfNeeded();
      await this.page.raw.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      const b = await this.boundingBox();
      const still = previous && JSON.stringify(previous) === JSON.stringify(b);
      previous = b;
      const { width, height } = this.page.viewport;
      const cx = b.x + b.width / 2;
      const cy = b.y + b.height / 2;
      return still && cx >= 0 && cy >= 0 && cx < width && cy < height && b;
    }, `${this.describe()} to hold still inside the viewport`);
    await this.page.raw.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  }

  async check() {
    if (!(await this.isChecked())) await this.click();
    if (!(await this.isChecked())) throw new Error(`${this.describe()} did not become checked`);
  }

  async focus() {
    await this.evalOne('(e) => e.focus()');
  }

  /** Like Playwright's fill: the value set at once, with the input event a typist would cause. */
  async fill(value) {
    await this.evalOne(
      `(e, v) => {
        e.focus();
        e.value = v;
        e.dispatchEvent(new Event('input', { bubbles: true }));
        e.dispatchEvent(new Event('change', { bubbles: true }));
      }`,
      value,
      { visible: true },
    );
  }

  async press(key) {
    await this.focus();
    await this.page.keyboard.press(key);
  }

  async type(text) {
    await this.focus();
    await this.page.keyboard.type(text);
  }

  async selectOption(value) {
    await this.evalOne(
      `(e, v) => {
        e.value = v;
        e.dispatchEvent(new Event('input', { bubbles: true }));
        e.dispatchEvent(new Event('change', { bubbles: true }));
      }`,
      value,
    );
  }

  async dispatchEvent(type) {
    await this.evalOne(
      `(e, type) => e.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, composed: true }))`,
      type,
    );
  }

  /** The element behind this locator, for what only a handle can do (files, screenshots). */
  async handle() {
    await this.waitFor({ state: 'attached' });
    const src = `((${RESOLVE})(${JSON.stringify(this.steps)}))[0]`;
    return (await this.page.raw.evaluateHandle(src)).asElement();
  }

  async screenshot({ path: file } = {}) {
    await this.waitFor();
    const handle = await this.handle();
    await handle.screenshot({ path: file });
  }

  /** A path, a list of paths, or Playwright's `{ name, mimeType, buffer }`. */
  async setInputFiles(files) {
    const list = Array.isArray(files) ? files : [files];
    const dir = mkdtempSync(path.join(tmpdir(), 'sockscope-upload-'));
    const paths = list.map((f) => {
      if (typeof f === 'string') return f;
      const file = path.join(dir, f.name);
      writeFileSync(file, f.buffer);
      return file;
    });
    const handle = await this.handle();
    await handle.uploadFile(...paths);
    // The change event fires when the driver has set the files; give it a task.
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A frame's locators resolve inside its document (same-origin frames only). */
class FxFrameLocator {
  constructor(page, steps) {
    this.page = page;
    this.steps = steps;
  }
  locator(selector) {
    return new FxLocator(this.page, [...this.steps, cssStep(selector)]);
  }
}

/** Playwright's key names where puppeteer's BiDi keyboard spells them otherwise. */
const KEY_NAMES = { Space: ' ' };

/** Playwright's key names and `Mod+Key` combinations, on puppeteer's keyboard. */
class FxKeyboard {
  constructor(raw) {
    this.raw = raw;
  }
  async press(combo) {
    const keys = combo === '+' ? ['+'] : combo.split('+');
    const last = keys.pop();
    const key = KEY_NAMES[last] ?? last;
    for (const mod of keys) await this.raw.keyboard.down(mod);
    await this.raw.keyboard.press(key);
    for (const mod of keys.reverse()) await this.raw.keyboard.up(mod);
  }
  async type(text) {
    await this.raw.keyboard.type(text);
  }
  async down(key) {
    await this.raw.keyboard.down(key);
  }
  async up(key) {
    await this.raw.keyboard.up(key);
  }
}

/** A puppeteer page with the part of Playwright's Page the tests use. */
class FxPage {
  constructor(raw, context, downloads) {
    this.raw = raw;
    this.ctx = context;
    this.downloads = downloads;
    this.keyboard = new FxKeyboard(raw);
    this.mouse = raw.mouse;
    this.viewport = raw.viewport() ?? { width: 1280, height: 800 };
  }

  context() {
    return this.ctx;
  }
  locator(selector) {
    return new FxLocator(this, [cssStep(selector)]);
  }
  frameLocator(selector) {
    return new FxFrameLocator(this, [{ frame: selector }]);
  }

  // Playwright's page.route, for a glob of the form "**" + "/NAME" only: `handler`
  // gets a route whose continue() lets the request go on.
  async route(glob, handler) {
    const name = /^\*\*\/([^*]+)$/.exec(glob)?.[1];
    if (!name) throw new Error(`the Firefox backend routes only **/NAME, not ${glob}`);
    await this.raw.setRequestInterception(true);
    this.raw.on('request', (req) => {
      if (req.isInterceptResolutionHandled()) return;
      if (new URL(req.url()).pathname.endsWith(`/${name}`)) handler({ continue: () => req.continue() });
      else req.continue();
    });
  }
  async goto(url, { waitUntil = 'load' } = {}) {
    return this.raw.goto(url, { waitUntil: waitUntil === 'networkidle' ? 'networkidle0' : waitUntil });
  }
  async reload() {
    return this.raw.reload({ waitUntil: 'load' });
  }
  async close() {
    await this.raw.close();
  }
  async setViewportSize({ width, height }) {
    await this.raw.setViewport({ width, height });
    this.viewport = { width, height };
  }
  async waitForTimeout(ms) {
    await new Promise((r) => setTimeout(r, ms));
  }
  async screenshot({ path: file, fullPage = false } = {}) {
    return this.raw.screenshot({ path: file, fullPage });
  }

  /** Playwright's `evaluate(fn, arg)`: a function and one (JSON) argument, or a source string. */
  async evaluate(fn, arg) {
    if (typeof fn === 'string') return this.raw.evaluate(fn);
    return unjson(await this.raw.evaluate(`(${asJson(fn)})(${literal(arg)})`));
  }

  /** Playwright's `waitForFunction(fn, arg, { timeout, polling })`. */
  async waitForFunction(fn, arg, { timeout = TIMEOUT, polling = 100 } = {}) {
    const poll = polling === 'raf' ? 100 : polling;
    return this.raw.waitForFunction(fn, { timeout, polling: poll }, arg);
  }

  /** Only 'download'. The folder is read when this is called, so that (as in
   * Playwright) a download the caller then causes is the one returned. */
  waitForEvent(name) {
    if (name !== 'download') throw new Error(`waitForEvent('${name}') is not available in the Firefox backend`);
    return nextDownload(this.downloads, new Set(readdirSync(this.downloads)));
  }
}

// Playwright's page-level shorthands: `page.click(selector, ...)` is
// `page.locator(selector).click(...)`, and so on.
for (const name of [
  'click', 'fill', 'press', 'type', 'check', 'focus', 'isVisible', 'isChecked', 'isDisabled',
  'isEnabled', 'textContent', 'innerText', 'getAttribute', 'inputValue', 'selectOption',
  'dispatchEvent', 'setInputFiles',
]) {
  FxPage.prototype[name] = function (selector, ...args) {
    return this.locator(selector)[name](...args);
  };
}
