// The capture download: after a handshake and some bytes, "Download capture" saves a
// pcapng file that tshark (the referee, installed by `cargo xtask test`) reads as the
// same segments, in the same order, as the page's log shows.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appUrl, shotPath, withPage, consoleLines } from './browser.mjs';

const T = { timeout: 120_000 };
const tid = (id) => `[data-testid="${id}"]`;


test('the downloaded capture opens in tshark with the segments the page showed', T, async () => {
  await withPage('capture', async (page) => {
    await page.goto(appUrl());
    await consoleLines(page, [
      'client: c = socket(TCP); connect(c, 10.0.0.2:80)',
      'server: s = accept(l)',
      'client: send(c, 1000)',
      'net: run',
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-capture-'));
    try {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(tid('capture-download')),
      ]);
      assert.equal(download.suggestedFilename(), 'sockscope.pcapng');
      const file = join(dir, 'run.pcapng');
      await download.saveAs(file);
      const fields = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=,',
        '-e', 'ip.src', '-e', 'ip.dst', '-e', 'tcp.flags', '-e', 'tcp.len'], { encoding: 'utf8' });
      const rows = fields.trim().split('\n');
      // The handshake, the data and its ACK, from the client at 10.0.0.1.
      assert.deepEqual(rows.slice(0, 3), [
        '10.0.0.1,10.0.0.2,0x0002,0',
        '10.0.0.2,10.0.0.1,0x0012,0',
        '10.0.0.1,10.0.0.2,0x0010,0',
      ]);
      assert.ok(rows.includes('10.0.0.1,10.0.0.2,0x0010,1000'), rows.join('\n'));
      assert.ok(rows.length >= 5, rows.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.locator(tid('capture-download')).scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('capture-button.png') });
  });
});

test('the captures panel: this run as a time-sequence graph, a real capture as a ladder with states', T, async () => {
  await withPage('capture-view', async (page) => {
    await page.goto(appUrl());
    await consoleLines(page, [
      'client: c = socket(TCP); connect(c, 10.0.0.2:80)',
      'server: s = accept(l)',
      'client: send(c, 3000)',
      'net: run',
    ]);
    const panel = page.locator(tid('capture-view'));
    await panel.locator('summary').click();
    const graph = panel.locator(tid('tsg')).first();
    await graph.waitFor();
    // 3000 bytes with the default MSS of 1460: three data segments.
    assert.equal(await graph.locator(tid('tsg-segment')).count(), 3);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('capture-graph.png') });

    // A click on the first segment takes the timeline back to when it was sent.
    const before = await page.locator(tid('clock')).innerText();
    await graph.locator(tid('tsg-segment')).first().dispatchEvent('click');
    await page.waitForFunction((b) => document.querySelector('[data-testid="clock"]').innerText !== b, before);

    // Something that is not a capture: a clear message, nothing else changes.
    const fixtures = new URL('../../crates/cli/tests/fixtures/', import.meta.url).pathname;
    await panel.locator(tid('capture-file')).setInputFiles(join(fixtures, 'malformed.scn'));
    await panel.locator(tid('capture-error')).waitFor();
    assert.match(await panel.locator(tid('capture-error')).innerText(), /not a capture file/);

    // A real Linux capture from tcpdump: its ladder, the states, netstat at a moment.
    await panel.locator(tid('capture-file')).setInputFiles(join(fixtures, 'tcp-ipv4.pcap'));
    await panel.locator(tid('capture-note')).waitFor();
    assert.match(await panel.locator(tid('capture-note')).innerText(), /10 packets, 1 connection/);
    const ladder = panel.locator(tid('capture-ladder'));
    await ladder.waitFor();
    assert.equal(await ladder.locator('tbody tr').count(), 10);
    await ladder.locator('tbody tr').last().locator('button').click();
    const netstat = panel.locator(tid('capture-netstat'));
    assert.match(await netstat.innerText(), /127\.0\.0\.1:\d+\s+127\.0\.0\.1:47501\s+TIME_WAIT/);
    assert.match(await ladder.innerText(), /SYN_SENT/);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('capture-import.png'), fullPage: false });
  });
});

/** The names of the files the page has fetched so far. */
const fetched = (page) => page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name), null);

test('the capture module is fetched only when the captures panel is first opened', T, async () => {
  await withPage('capture-lazy', async (page) => {
    await page.goto(appUrl());
    await consoleLines(page, [
      'client: c = socket(TCP); connect(c, 10.0.0.2:80)',
      'net: run',
    ]);
    assert.ok(!(await fetched(page)).some((n) => n.includes('sockscope-capture')),
      'the first view fetched the capture module');

    // The module cannot be fetched (simulated as the module's loader failing): the
    // panel says so, and the rest of the page goes on working.
    await page.evaluate(() => { globalThis.sockscopeCapture = () => Promise.reject(new Error('the network is down')); }, null);
    const panel = page.locator(tid('capture-view'));
    await panel.locator('summary').click();
    await panel.locator(tid('capture-load-error')).waitFor();
    assert.match(await panel.locator(tid('capture-load-error')).innerText(), /could not be loaded: the network is down.*try again/s);
    await consoleLines(page, ['client: send(c, 100)']);

    // Closing and opening the panel tries again; now the module is fetched and draws.
    await page.evaluate(() => { delete globalThis.sockscopeCapture; }, null);
    await panel.locator('summary').click();
    await panel.locator('summary').click();
    await panel.locator(tid('capture-connection')).waitFor();
    assert.equal(await panel.locator(tid('capture-load-error')).count(), 0);
    const names = await fetched(page);
    assert.ok(names.some((n) => n.endsWith('/sockscope-capture.js')), names.join('\n'));
    assert.ok(names.some((n) => n.endsWith('/sockscope-capture_bg.wasm')), names.join('\n'));
    // The panel follows the run: the send() made while the tools were missing goes out.
    await consoleLines(page, ['net: run']);
    // (A 100-byte bar is too thin to count as visible: it is enough that it is drawn.)
    await panel.locator(tid('tsg-segment')).first().waitFor({ state: 'attached' });
    assert.equal(await panel.locator(tid('tsg-segment')).count(), 1);
  });
});
