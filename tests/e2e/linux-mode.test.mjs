// Textbook or Linux: the network panel's switch replays the world in the other mode.
// A server closes a connection with 300 bytes it never read: the textbook sends a FIN
// (the client sits in CLOSE_WAIT), Linux sends an RST (both rows vanish).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, shotPath, withPage } from './browser.mjs';

const tid = (id) => `[data-testid="${id}"]`;

const BEFORE_CLOSE = `host client 10.0.0.1
host server 10.0.0.2
server: l = socket(TCP); bind(l, *:80); listen(l, 5)
client: c = socket(TCP); connect(c, 10.0.0.2:80)
server: a = accept(l)
client: send(c, 300)
net: run
`;

async function netstat(page) {
  return (await page.locator(tid('netstat')).allTextContents()).join('\n');
}

async function narration(page) {
  return page.locator(tid('narration')).textContent();
}

/** Types one console line and runs it. */
async function run(page, line) {
  await page.locator(tid('console-input')).fill(line);
  await page.locator(tid('console-run')).click();
}

test('switching to Linux mid-scenario replays the world: RST instead of FIN', { timeout: 120_000 }, async () => {
  await withPage('linux-mode', async (page) => {
    await page.goto(`${appUrl()}#scenario=${encodeURIComponent(BEFORE_CLOSE)}`, { waitUntil: 'load' });
    const select = page.locator(tid('behaviour'));
    await select.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await select.inputValue(), 'textbook');
    assert.match(await page.locator(tid('behaviour-note')).textContent(), /^Textbook mode/);

    await run(page, 'server: close(a)');
    await run(page, 'net: run');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('CLOSE_WAIT'),
      tid('netstat'), { timeout: 10_000 });
    assert.match(await narration(page), /On Linux, close\(\) with 300 unread bytes would send an RST here/);
    await page.screenshot({ path: shotPath('linux-mode-textbook.png'), fullPage: true });

    // Mid-scenario: the world replays from its start, now as Linux.
    await select.selectOption('linux');
    await page.waitForFunction((sel) => !document.querySelector(sel)?.textContent.includes('CLOSE_WAIT'),
      tid('netstat'), { timeout: 10_000 });
    const rows = await netstat(page);
    assert.ok(!rows.includes('FIN_WAIT_2'), rows);
    assert.ok(rows.includes('LISTEN'), rows);
    assert.match(await page.locator(tid('behaviour-note')).textContent(), /^Linux mode/);
    assert.match(await narration(page), /In the textbook model, close\(\) would throw the 300 unread bytes away/);
    assert.equal(await select.inputValue(), 'linux');
    // The console's log is the replayed one.
    const log = await page.locator(tid('console-log')).textContent();
    assert.match(log, /other mode: In the textbook model, close\(\) would throw/, log);
    assert.ok(!log.includes('other mode: On Linux'), log);
    await page.screenshot({ path: shotPath('linux-mode-linux.png'), fullPage: true });

    // The client's next recv() sees the reset.
    await run(page, 'client: recv(c, 100)');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('ECONNRESET'),
      tid('console-log'), { timeout: 10_000 });

    // And back: the textbook world again, with the learner's recv() replayed too.
    await select.selectOption('textbook');
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('CLOSE_WAIT'),
      tid('netstat'), { timeout: 10_000 });
  });
});

test('behaviour=linux in the link opens in Linux mode; a bad value is reported', { timeout: 60_000 }, async () => {
  await withPage('linux-mode-link', async (page) => {
    await page.goto(`${appUrl()}?behaviour=linux`, { waitUntil: 'load' });
    const select = page.locator(tid('behaviour'));
    await select.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await select.inputValue(), 'linux');
  });
  await withPage('linux-mode-bad-link', async (page) => {
    await page.goto(`${appUrl()}?behaviour=bsd`, { waitUntil: 'load' });
    const select = page.locator(tid('behaviour'));
    await select.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await select.inputValue(), 'textbook');
    await page.waitForFunction(() => document.body.textContent.includes('behaviour=“bsd” is not one of textbook, linux.'),
      null, { timeout: 10_000 });
  });
});
