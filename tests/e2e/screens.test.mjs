// Screenshot tests: the main views compared with baselines committed in
// tests/e2e/screens/, with a small pixel tolerance (pixelmatch).
//
// A view that changed fails with its name, and its picture, the baseline's and
// the difference are written to target/e2e/screens/. To accept a change, run
// `SOCKSCOPE_UPDATE_SCREENS=1 cargo xtask test` (the baselines are rewritten),
// look at them, and commit them.
//
// The pictures must be the same on every run: a fixed viewport, reduced motion
// (no transitions, play moves event by event), no caret, the pointer parked in
// a corner, no focus ring. Fonts are the system's (Debian's DejaVu here): a
// machine with other fonts needs its own baselines. Every view is also scanned
// with axe.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { appUrl, axeViolations, requirePackage, withPage } from './browser.mjs';
import { createRequire } from 'node:module';

const { PNG } = requirePackage('pngjs');
// pixelmatch is an ES module: imported from the file its package names.
const pixelmatchFile = createRequire(import.meta.url).resolve(
  process.env.SOCKSCOPE_NODE_MODULES ? path.join(process.env.SOCKSCOPE_NODE_MODULES, 'pixelmatch') : 'pixelmatch',
);
const { default: pixelmatch } = await import(pathToFileURL(pixelmatchFile).href);

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BASELINES = path.join(HERE, 'screens');
const DIFFS = path.join(HERE, '..', '..', 'target', 'e2e', 'screens');
const UPDATE = process.env.SOCKSCOPE_UPDATE_SCREENS === '1';
/** Per pixel: how different two colours may be (pixelmatch's 0..1 threshold). */
const COLOUR_THRESHOLD = 0.1;
/** Per view: the share of pixels that may differ (anti-aliasing, not a change). */
const PIXEL_SHARE = 0.001;
const T = { timeout: 90_000 };
const tid = (id) => `[data-testid="${id}"]`;

/** Opens the app at `query` in a fixed viewport, light or dark, without motion. */
async function open(page, query = '', { width = 1280, height = 800, dark = false } = {}) {
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ reducedMotion: 'reduce', colorScheme: dark ? 'dark' : 'light' });
  await page.goto(appUrl() + query, { waitUntil: 'load' });
  await page.locator(tid('netstat')).waitFor({ state: 'visible', timeout: 20_000 });
  // The wire and the lower panels come one task after the first view.
  await page.locator(tid('ladder')).waitFor({ state: 'visible', timeout: 20_000 });
}

/** Runs console lines, each after the one before was taken. */
async function lines(page, ...texts) {
  const input = page.locator(tid('console-input'));
  for (const text of texts) {
    const before = Number(await page.locator(tid('timeline')).getAttribute('max'));
    await input.fill(text);
    await input.press('Enter');
    await page.waitForFunction(
      ([sel, n]) => Number(document.querySelector(sel).getAttribute('max')) > n,
      [tid('timeline'), before],
    );
  }
}

/** A call from process `pid`'s form (the network does not move with it). */
async function formCall(page, pid, kind, fields = {}) {
  const before = Number(await page.locator(tid('timeline')).getAttribute('max'));
  await page.locator(tid(`call-kind-${pid}`)).selectOption(kind);
  if (fields.fd !== undefined) await page.locator(tid(`call-fd-${pid}`)).selectOption(String(fields.fd));
  if (fields.f1 !== undefined) await page.locator(`#f1-${pid}-${kind}`).fill(String(fields.f1));
  await page.locator(tid(`call-go-${pid}`)).click();
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel).getAttribute('max')) > n,
    [tid('timeline'), before],
  );
}

/** The client's socket() and connect() from its form, then one step: the SYN has
 * reached the server and its SYN-ACK is on the wire. */
async function handshakeInFlight(page) {
  await formCall(page, 0, 'socket');
  await formCall(page, 0, 'connect', { fd: 3, f1: '10.0.0.2:80' });
  await steps(page, 1);
}

/** Closes the start card if it is open. */
async function closeCard(page) {
  const close = page.locator(tid('start-card-close'));
  if (await close.count()) await close.click();
}

/** Steps the network `n` times. */
async function steps(page, n) {
  for (let i = 0; i < n; i++) {
    const before = Number(await page.locator(tid('timeline')).getAttribute('max'));
    await page.locator(tid('step')).click();
    await page.waitForFunction(
      ([sel, k]) => Number(document.querySelector(sel).getAttribute('max')) > k,
      [tid('timeline'), before],
    );
  }
}

/** Puts the page at rest for a picture: no pointer over anything, no focus. */
async function settle(page) {
  await page.mouse.move(0, 0);
  await page.evaluate(() => document.activeElement?.blur());
  // Two frames: whatever the last input changed is drawn.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** The picture of the viewport, or of one element brought to the middle of it. */
async function picture(page, selector) {
  await settle(page);
  const options = { animations: 'disabled', caret: 'hide', scale: 'css' };
  if (!selector) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await settle(page);
    return page.screenshot(options);
  }
  const el = page.locator(selector).first();
  // Centred, so that the sticky controls bar does not cover it.
  await el.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await settle(page);
  return el.screenshot(options);
}

/** No axe violations of any impact in this view. */
async function assertAxeClean(page, view) {
  const violations = await axeViolations(page);
  const report = violations
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n');
  assert.equal(violations.length, 0, `axe violations in the view “${view}”:\n${report}`);
}

/** Compares a picture with its baseline (or writes the baseline when updating). */
function compare(view, png) {
  const file = path.join(BASELINES, `${view}.png`);
  if (UPDATE) {
    mkdirSync(BASELINES, { recursive: true });
    writeFileSync(file, png);
    return;
  }
  assert.ok(existsSync(file), `no baseline for the view “${view}” (${file}): run with SOCKSCOPE_UPDATE_SCREENS=1`);
  const want = PNG.sync.read(readFileSync(file));
  const got = PNG.sync.read(png);
  const keep = (suffix, data) => {
    mkdirSync(DIFFS, { recursive: true });
    writeFileSync(path.join(DIFFS, `${view}-${suffix}.png`), data);
  };
  if (want.width !== got.width || want.height !== got.height) {
    keep('actual', png);
    assert.fail(`the view “${view}” changed size: ${got.width}×${got.height}, baseline ${want.width}×${want.height}; see ${DIFFS}`);
  }
  const diff = new PNG({ width: want.width, height: want.height });
  const changed = pixelmatch(want.data, got.data, diff.data, want.width, want.height, { threshold: COLOUR_THRESHOLD });
  const allowed = Math.ceil(want.width * want.height * PIXEL_SHARE);
  if (changed > allowed) {
    keep('actual', png);
    keep('diff', PNG.sync.write(diff));
    assert.fail(`the view “${view}” changed: ${changed} pixels differ (at most ${allowed}); see ${path.join(DIFFS, `${view}-diff.png`)}`);
  }
}

/** One view: reach it, check it with axe, compare its picture. */
function view(name, reach, selector) {
  test(`screen: ${name}`, T, async () => {
    await withPage(`screen-${name}`, async (page) => {
      const sel = await reach(page);
      await assertAxeClean(page, name);
      compare(name, await picture(page, sel ?? selector));
    });
  });
}

view('first-visit', async (page) => {
  await open(page);
  await page.locator(tid('start-card')).waitFor();
});

view('first-visit-dark', async (page) => {
  await open(page, '', { dark: true });
  await page.locator(tid('start-card')).waitFor();
});

view('handshake', async (page) => {
  await open(page);
  await closeCard(page);
  await handshakeInFlight(page);
  return 'main.stage';
});

view('handshake-dark', async (page) => {
  await open(page, '', { dark: true });
  await closeCard(page);
  await handshakeInFlight(page);
  return 'main.stage';
});

// MODEL.md §2: Send-Q 6500 on A, Recv-Q 1500 on B (bytes of two send() calls).
view('byte-stream', async (page) => {
  await open(page, '?tour=byte-stream&step=8');
  await page.locator(tid('connections')).waitFor();
  return tid('connections');
});

view('question', async (page) => {
  await open(page, '?tour=byte-stream&step=4');
  await page.locator('.question').waitFor();
  return tid('tour');
});

view('deadlock', async (page) => {
  await open(page, '?tour=deadlock&step=5');
  await page.locator('.deadlock').waitFor();
});

view('demux', async (page) => {
  await open(page, '?tour=demux&step=3');
  const seg = page.locator(tid('seg-0'));
  await seg.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await seg.locator('text.seg-label').click();
  await page.locator(tid('demux')).locator('table').waitFor();
  return tid('demux');
});

view('phone-360', async (page) => {
  await open(page, '', { width: 360, height: 780 });
  await page.locator(tid('start-card')).waitFor();
});

view('phone-360-netstat', async (page) => {
  await open(page, '', { width: 360, height: 780 });
  await closeCard(page);
  await lines(page, 'client: c = socket(TCP)', 'client: connect(c, 10.0.0.2:80)', 'server: a = accept(l)');
  return tid('netstat');
});

view('phone-360-netstat-dark', async (page) => {
  await open(page, '', { width: 360, height: 780, dark: true });
  await closeCard(page);
  await lines(page, 'client: c = socket(TCP)', 'client: connect(c, 10.0.0.2:80)', 'server: a = accept(l)');
  return tid('netstat');
});

// At 360 px the figure is a column: SendQ ↓ wire ↓ RecvQ ↓ Delivered.
view('phone-360-byte-stream', async (page) => {
  await open(page, '?tour=byte-stream&step=8', { width: 360, height: 780 });
  await page.locator(tid('connections')).waitFor();
  // One direction: the whole figure is taller than the phone's screen.
  return `${tid('connections')} .pipeline`;
});

// A blocked call's banner on a phone: the client blocked in connect().
view('phone-360-blocked', async (page) => {
  await open(page, '', { width: 360, height: 780, dark: true });
  await closeCard(page);
  await handshakeInFlight(page);
  return tid('host-client');
});

// The larger wire: the stage's whole width, taller rows, words along the arrows.
view('large-wire', async (page) => {
  await open(page);
  await closeCard(page);
  await lines(page, 'client: c = socket(TCP)', 'client: connect(c, 10.0.0.2:80)', 'server: a = accept(l)', 'client: send(c, 3000)', 'net: run');
  await page.locator(tid('ladder-large')).click();
  await page.locator(`${tid('ladder-large')}[aria-pressed="true"]`).waitFor();
  return tid('ladder');
});

// ------------------------------------------------ the start card's behaviour

test('start card: keyboard reaches it, closing it is remembered, the help button brings it back', T, async () => {
  await withPage('start-card-keys', async (page) => {
    await open(page);
    const card = page.locator(tid('start-card'));
    await card.waitFor();
    // Tab from the top of the page until the card's Close button has the focus.
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.dataset?.testid === 'start-card-close');
    }
    assert.ok(reached, 'Tab never reached the start card’s Close button');
    // A first call from the card runs like a console line.
    await page.getByRole('button', { name: 'Run client: c = socket(TCP)' }).click();
    await page.locator(tid('proc-0')).getByText('socket(TCP) = 3').waitFor();
    await page.locator(tid('start-card-close')).focus();
    await page.keyboard.press('Enter');
    await card.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.dataset?.testid), 'help', 'the focus goes to the help button');
    assert.equal(await page.locator(tid('help')).getAttribute('aria-expanded'), 'false');
    // Remembered: a new visit opens without it.
    await page.reload({ waitUntil: 'load' });
    await page.locator(tid('netstat')).waitFor();
    await page.locator(tid('ladder')).waitFor();
    assert.equal(await card.count(), 0, 'the start card came back after it was closed');
    // The help button opens it again, from the keyboard.
    await page.locator(tid('help')).focus();
    await page.keyboard.press('Enter');
    await card.waitFor();
    assert.equal(await page.locator(tid('help')).getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator(tid('help')).getAttribute('aria-controls'), 'start-card');
  });
});

test('start card: not in an embed, nor when a link opens a tour or a scenario', T, async () => {
  await withPage('start-card-embeds', async (page) => {
    const scenario = 'host a 10.0.0.1\na: s = socket(TCP)\n';
    for (const query of ['?controls=minimal', '?controls=none', '?tour=byte-stream', `#scenario=${encodeURIComponent(scenario)}`]) {
      await page.goto(appUrl() + query, { waitUntil: 'load' });
      // The card would be in the app's first frame.
      await page.locator('.sockscope').waitFor();
      assert.equal(await page.locator(tid('start-card')).count(), 0, `a start card in ${query}`);
    }
    // mount() with all its controls: still no card (the course page owns the page).
    await page.goto(new URL('embed-example.html', appUrl()).href, { waitUntil: 'load' });
    await page.locator(`${tid('mounted')} .sockscope`).waitFor();
    await page.evaluate(async () => {
      const { mount } = await import('./sockscope-app.js');
      const el = document.createElement('div');
      el.dataset.testid = 'plain-mount';
      document.body.append(el);
      mount(el, '', () => {});
    });
    await page.locator(`${tid('plain-mount')} ${tid('netstat')}`).waitFor();
    assert.equal(await page.locator(tid('start-card')).count(), 0, 'a start card in a mounted instance');
  });
});

test('start card: works where the browser refuses storage (a sandboxed frame)', T, async () => {
  await withPage('start-card-no-storage', async (page) => {
    await page.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('The document is sandboxed', 'SecurityError');
        },
      });
    });
    await open(page);
    await page.locator(tid('start-card')).waitFor();
    await page.locator(tid('start-card-close')).click();
    await page.locator(tid('start-card')).waitFor({ state: 'detached' });
    await page.locator(tid('help')).click();
    await page.locator(tid('start-card')).waitFor();
  });
});
