// A misbehaving network from the network panel: with duplication and reordering set
// on the client → server path, the narration says what the network did, and the
// server still reads every byte once.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, shotPath, withPage, consoleLines } from './browser.mjs';

const T = { timeout: 120_000 };
const tid = (id) => `[data-testid="${id}"]`;


test('segments reordered and duplicated by the network panel still reach the program once', T, async () => {
  await withPage('misbehaving', async (page) => {
    await page.goto(appUrl());
    await consoleLines(page, [
      'client: c = socket(TCP); connect(c, 10.0.0.2:80)',
      'server: s = accept(l)',
    ]);
    // The panel's first path is client → server.
    await page.fill(tid('reorder'), '50');
    await page.fill(tid('duplicate'), '100');
    await page.click(tid('set-misbehaviour'));
    const log = page.locator(tid('console-log'));
    assert.match(await log.innerText(), /net: duplicate client -> server 100%/);
    assert.match(await log.innerText(), /net: reorder client -> server 50% 30ms/);

    await consoleLines(page, ['client: send(c, 4000)', 'net: run', 'server: recv(s, 10000)']);
    assert.match(await log.innerText(), /server: recv\(s, 10000\) = 4000/);
    const said = await page.locator(tid('narration')).textContent();
    assert.match(said, /The network duplicates segment \d+: a copy \(segment \d+\) follows it/);

    // A bad figure is refused with a message, and nothing is sent to the world.
    const before = await log.innerText();
    await page.fill(tid('duplicate'), '150');
    await page.click(tid('set-misbehaviour'));
    await page.locator(tid('notice')).waitFor();
    assert.match(await page.locator(tid('notice')).innerText(), /0 to 100 %/);
    assert.equal(await log.innerText(), before);
    await page.locator(tid('reorder')).scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('misbehaving.png') });
  });
});
