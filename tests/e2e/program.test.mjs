// The program panel: the calls made so far, as the C or Python program each process
// would be. The line a program has reached is marked, a line number takes the world
// back to just after that line ran, and the downloaded C file compiles with gcc.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appUrl, axeViolations, shotPath, withPage, consoleLines } from './browser.mjs';

const T = { timeout: 120_000 };
const tid = (id) => `[data-testid="${id}"]`;

/** The names of the files the page has fetched so far. */
const fetched = (page) => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name), null);

/** The text of the program's marked lines. */
async function reached(panel) {
  return (await panel.locator(tid('program-reached')).allInnerTexts()).join('\n');
}

test('the program panel writes the calls as C and Python, marks the reached line and goes back to a line', T, async () => {
  await withPage('program', async (page) => {
    await page.goto(appUrl());
    await consoleLines(page, [
      'client: c = socket(TCP); connect(c, 10.0.0.2:80)',
      'server: s = accept(l)',
      'client: send(c, 1000)',
    ]);
    // The panel is a folded heading: its inside comes with the tools module, which
    // the first view does not fetch.
    const panel = page.locator(tid('program-view'));
    assert.equal(await panel.locator(tid('program-lines')).count(), 0);
    assert.ok(!(await fetched(page)).some((n) => n.includes('sockscope-tools')),
      'the first view fetched the tools module');
    const world = async () => [await page.locator(tid('netstat-client')).textContent(),
      await page.locator(tid('netstat-server')).textContent()];
    const before = await world();
    // The client's card has a button that opens the panel at the client's program.
    await page.locator(`${tid('proc-0')} ${tid('show-program')}`).click();
    await panel.locator(tid('program-lines')).waitFor();
    assert.ok((await fetched(page)).some((n) => n.endsWith('/sockscope-tools_bg.wasm')));
    const tabs = panel.locator(tid('program-tab'));
    assert.deepEqual(await tabs.allInnerTexts(), ['server.c', 'client.c']);
    assert.equal(await tabs.nth(1).getAttribute('aria-pressed'), 'true');
    await tabs.nth(0).click();

    // The server's program has got to its accept(); the client's to its send().
    assert.match(await reached(panel), /accept\(/);
    await tabs.nth(1).click();
    assert.match(await reached(panel), /send\(c, /);
    // Choosing a program (the panel's own buttons) leaves the world as it was.
    assert.deepEqual(await world(), before);
    assert.match(before[0], /ESTABLISHED/);
    // The listing has scrolled to the reached line.
    const inView = await panel.locator(tid('program-lines')).evaluate((ol) => {
      const li = ol.querySelector('li.reached').getBoundingClientRect();
      const box = ol.getBoundingClientRect();
      return li.top >= box.top && li.bottom <= box.bottom;
    });
    assert.ok(inView, 'the reached line is scrolled into the listing');
    const listing = await panel.locator(tid('program-lines')).innerText();
    assert.match(listing, /inet_pton\(AF_INET, "10\.0\.0\.2"/);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('program-c.png') });

    // The downloaded file is the program shown, and gcc compiles it.
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-program-'));
    try {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(tid('program-download')),
      ]);
      assert.equal(download.suggestedFilename(), 'client.c');
      const file = join(dir, 'client.c');
      await download.saveAs(file);
      assert.match(readFileSync(file, 'utf8'), /connect\(c, /);
      execFileSync('gcc', ['-Wall', '-Werror', '-o', join(dir, 'client'), file]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // Python: the same calls with the socket module.
    await panel.locator(tid('program-lang-python')).click();
    assert.match(await panel.locator(tid('program-lines')).innerText(), /socket\.socket\(/);
    await page.screenshot({ path: shotPath('program-python.png') });
    assert.deepEqual(await axeViolations(page), []);

    // The connect() line's number goes back to just after it ran: the send is undone.
    const line = panel.locator('li').filter({ hasText: 'connect(c,' }).locator('button.line-number').first();
    await line.click();
    assert.match(await reached(panel), /connect\(c, /);
    await panel.locator(tid('program-lang-c')).click();
    const client = await panel.locator(tid('program-lines')).innerText();
    assert.doesNotMatch(client, /send\(c, /);
    const netstat = await page.locator(tid('netstat-client')).textContent();
    assert.match(netstat, /ESTABLISHED/);
  });
});

test('in a tour the marked line follows Next step and Previous step', T, async () => {
  await withPage('program-tour', async (page) => {
    await page.goto(`${appUrl()}?tour=byte-stream&single=1`);
    await page.locator(tid('tour')).waitFor();
    const panel = page.locator(tid('program-view'));
    await panel.locator('summary').click();
    const marks = [];
    for (let i = 0; i < 8; i++) {
      await page.click(tid('tour-next'));
      const text = (await panel.locator(tid('program-reached')).allInnerTexts()).join('\n');
      marks.push(text);
    }
    // Each statement the tour runs that is a call of the shown program moves the mark.
    const distinct = new Set(marks.filter((m) => m !== ''));
    assert.ok(distinct.size >= 3, marks.join('\n---\n'));
    const before = marks[marks.length - 1];
    let back = before;
    for (let i = 0; i < 8 && back === before; i++) {
      await page.click(tid('tour-prev'));
      back = (await panel.locator(tid('program-reached')).allInnerTexts()).join('\n');
    }
    assert.notEqual(back, before, 'Previous step moved the mark back');
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('program-tour.png') });
  });
});
