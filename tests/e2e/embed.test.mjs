// Embedding and links: the sample course page with two independent instances (an
// iframe and a mount() call), tour links, and what a bad link does.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, shotPath, withPage } from './browser.mjs';

const T = { timeout: 90_000 };
const tid = (id) => `[data-testid="${id}"]`;

/** "step 8 of 66" → 8 */
async function stepOf(tour) {
  const header = await tour.locator('header').innerText();
  const m = header.match(/step (\d+) of (\d+)/);
  assert.ok(m, `no step counter in “${header}”`);
  return Number(m[1]);
}

test('embed example: an iframe and a mounted instance run independently', T, async () => {
  await withPage('embed-example', async (page) => {
    await page.goto(new URL('embed-example.html', appUrl()).href);
    const mounted = page.locator(`${tid('mounted')} ${tid('tour')}`);
    const framed = page.frameLocator('#closing-frame').locator(tid('tour'));
    await mounted.waitFor();
    await framed.waitFor();
    assert.match(await mounted.locator('h2').innerText(), /Deadlock/);
    assert.match(await framed.locator('h2').innerText(), /Closing/);
    const [m0, f0] = [await stepOf(mounted), await stepOf(framed)];

    // Three steps in the mounted instance, one in the iframe.
    for (let i = 0; i < 3; i++) {
      const before = await stepOf(mounted);
      await mounted.locator(tid('tour-next')).click();
      await expectAbove(() => stepOf(mounted), before);
    }
    await framed.locator(tid('tour-next')).click();
    await expectAbove(() => stepOf(framed), f0);
    assert.ok((await stepOf(mounted)) > m0 + 2, 'the mounted instance moved three steps');
    const f1 = await stepOf(framed);
    // Stepping one instance back leaves the other alone.
    await mounted.locator(tid('tour-prev')).click();
    await page.waitForTimeout(200);
    assert.equal(await stepOf(framed), f1);
    // Minimal controls: no call forms, no console.
    assert.equal(await page.locator(`${tid('mounted')} .call-form`).count(), 0);
    assert.equal(await page.locator(`${tid('mounted')} ${tid('console-input')}`).count(), 0);
    await page.screenshot({ path: shotPath('embed-example.png'), fullPage: true });
  });
});

async function expectAbove(probe, value, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if ((await probe()) > value) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`value did not rise above ${value}`);
}

test('a tour link opens the tour at its step', T, async () => {
  await withPage('tour-link', async (page) => {
    await page.goto(`${appUrl()}?tour=byte-stream&step=4`);
    const tour = page.locator(tid('tour'));
    await tour.waitFor();
    assert.match(await tour.locator('h2').innerText(), /byte stream/i);
    assert.ok((await stepOf(tour)) > 0);
    assert.notEqual((await page.locator(tid('tour-text')).innerText()).trim(), '');
  });
});

test('a bad link shows a clear notice and a usable default view', T, async () => {
  await withPage('bad-link', async (page) => {
    await page.goto(`${appUrl()}?tour=no-such-tour&speed=999&theme=%3Cimg%20src%3Dx%3E#not-a-scenario`);
    const notice = page.locator(tid('notice'));
    await notice.waitFor();
    const text = await notice.innerText();
    assert.match(text, /no tour called “no-such-tour”/);
    assert.match(text, /speed=/);
    assert.match(text, /theme=/);
    // The default world is there and works.
    assert.match(await page.locator(tid('netstat-server')).innerText(), /LISTEN/);
    await page.click(tid('call-go-0'));
    await page.locator(`${tid('proc-0')}:has-text("socket(TCP) = 3")`).waitFor();
    await page.screenshot({ path: shotPath('bad-link.png') });
  });
});

test('a scenario in the link is run and shown', T, async () => {
  await withPage('scenario-link', async (page) => {
    const scenario = 'host A 10.0.0.1\nhost B 10.0.0.2\nB: l = socket(TCP); bind(l, *:7); listen(l, 1)\nA: c = socket(TCP); connect(c, 10.0.0.2:7)\n';
    await page.goto(`${appUrl()}#scenario=${encodeURIComponent(scenario)}`);
    await page.locator(tid('netstat-A')).waitFor();
    assert.match(await page.locator(tid('netstat-A')).innerText(), /ESTABLISHED/);
  });
});

/** The names of the files the page has fetched so far. */
const fetched = (page) => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name), null);

test('experiment: throughput rises with buffer size and never beats the link', T, async () => {
  await withPage('throughput', async (page) => {
    await page.goto(appUrl());
    // The panel is a folded heading; its inside comes with the tools module, fetched
    // only when the learner first opens it.
    const panel = page.locator(tid('throughput'));
    await panel.locator('summary').waitFor();
    assert.equal(await panel.locator(tid('throughput-run')).count(), 0);
    assert.ok(!(await fetched(page)).some((n) => n.includes('sockscope-tools')),
      'the first view fetched the tools module');
    await panel.locator('summary').click();
    await panel.locator(tid('throughput-run')).waitFor();
    assert.ok((await fetched(page)).some((n) => n.endsWith('/sockscope-tools_bg.wasm')));
    await page.click(tid('throughput-run'));
    const table = page.locator(tid('throughput-table'));
    await table.waitFor({ timeout: 60_000 });
    const rates = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
    assert.equal(rates.length, 11);
    const values = rates.map(Number);
    for (let i = 1; i < values.length; i++) {
      assert.ok(values[i] >= values[i - 1] - 1e-9, `throughput fell from ${values[i - 1]} to ${values[i]}`);
    }
    assert.ok(values[values.length - 1] > 10 * values[0], 'big buffers are much faster than tiny ones');
    assert.ok(values.every((v) => v <= 12.5), 'nothing beats the 100 Mbit/s link (12.5 MB/s)');
    await page.locator(tid('throughput')).screenshot({ path: shotPath('throughput.png') });

    // A nonsense parameter is refused with a message, and the old plot stays.
    await page.locator(`${tid('throughput')} input`).nth(4).fill('fast');
    await page.click(tid('throughput-run'));
    await page.locator(tid('notice')).waitFor();
    assert.match(await page.locator(tid('notice')).innerText(), /link rate/);
    assert.equal(await table.locator('tbody tr').count(), 11);
  });
});

test('a link to the throughput tour, even with minimal controls, has the experiment it explains', T, async () => {
  await withPage('throughput-tour', async (page) => {
    await page.goto(`${appUrl()}?tour=throughput&controls=minimal`);
    await page.locator(tid('tour')).waitFor();
    // Folded under the heading the tour's narration names (textContent: the panel is
    // below the fold, where Firefox's innerText of a content-visibility: auto section is empty).
    const panel = page.locator(tid('throughput'));
    assert.equal((await panel.locator('summary').textContent()).trim(), 'Experiment: buffer size and throughput');
    await panel.locator('summary').click();
    await panel.locator(tid('throughput-run')).click();
    await panel.locator(tid('throughput-table')).waitFor({ timeout: 60_000 });
    assert.equal(await panel.locator(`${tid('throughput-table')} tbody tr`).count(), 11);
  });
});

test('a scenario file can be opened, and a broken one is refused with its position', T, async () => {
  await withPage('scenario-file', async (page) => {
    await page.goto(appUrl());
    await page.locator(tid('scenario-file')).setInputFiles({
      name: 'pair.scn',
      mimeType: 'text/plain',
      buffer: Buffer.from('host X 10.9.0.1\nhost Y 10.9.0.2\nY: l = socket(TCP); bind(l, *:5); listen(l, 1)\nX: c = socket(TCP); connect(c, 10.9.0.2:5)\n'),
    });
    await page.locator(tid('netstat-X')).waitFor();
    assert.match(await page.locator(tid('netstat-X')).innerText(), /ESTABLISHED/);
    await page.locator(tid('scenario-file')).setInputFiles({
      name: 'broken.scn',
      mimeType: 'text/plain',
      buffer: Buffer.from('host X 10.9.0.1\nX: c = socket(TCP\n'),
    });
    await page.locator(tid('notice')).waitFor();
    assert.match(await page.locator(tid('notice')).innerText(), /broken\.scn was not loaded: 2:/);
    assert.match(await page.locator(tid('netstat-X')).innerText(), /ESTABLISHED/, 'the world is unchanged');
  });
});

test('text from a scenario is shown as text, never run as markup', T, async () => {
  await withPage('no-markup', async (page) => {
    const scenario = 'host A 10.0.0.1\nsay <img src=x onerror="window.__pwned=1"><b>bold?</b>\nA: s = socket(TCP)\n';
    await page.goto(`${appUrl()}#scenario=${encodeURIComponent(scenario)}`);
    await page.locator(tid('netstat-A')).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'the onerror handler must not run');
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.match(await page.locator(tid('console-log')).innerText(), /<img src=x onerror=/);
  });
});

test('the page runs under a strict Content-Security-Policy that refuses inline script', T, async () => {
  await withPage(
    'csp',
    async (page) => {
      await page.goto(appUrl());
      await page.locator(tid('netstat-server')).waitFor();
      const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
      assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
      assert.doesNotMatch(policy, /unsafe-inline'[^;]*;?\s*(?:script)/);
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.head.appendChild(s);
      });
      await page.waitForTimeout(200);
      assert.equal(await page.evaluate(() => window.__inline), undefined, 'inline script must be refused');
      // And the app still works.
      await page.click(tid('call-go-0'));
      await page.locator(`${tid('proc-0')}:has-text("socket(TCP) = 3")`).waitFor();
    },
    { allowErrors: /Content[- ]Security[- ]Policy/ },
  );
});

test('a panic shows the error panel, and Reset brings the app back', T, async () => {
  await withPage(
    'panic',
    async (page) => {
      await page.goto(`${appUrl()}?debug=panic`);
      const panel = page.locator('#fatal');
      await panel.waitFor({ state: 'visible' });
      assert.match(await page.locator('#fatal-detail').innerText(), /deliberate panic/);
      await page.screenshot({ path: shotPath('panic.png') });
      await page.click('[data-testid="fatal-reset"]');
      await page.locator(tid('netstat-server')).waitFor();
      assert.match(await page.locator(tid('netstat-server')).innerText(), /LISTEN/);
      assert.equal(await panel.isVisible(), false);
    },
    { allowErrors: /deliberate panic|unreachable|RuntimeError/ },
  );
});
