// The capture download: after a handshake and some bytes, "Download capture" saves a
// pcapng file that tshark (the referee, installed by `cargo xtask test`) reads as the
// same segments, in the same order, as the page's log shows.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
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

test('the tools module is fetched only when the captures panel is first opened', T, async () => {
  await withPage('capture-lazy', async (page) => {
    await page.goto(appUrl());
    await consoleLines(page, [
      'client: c = socket(TCP); connect(c, 10.0.0.2:80)',
      'net: run',
    ]);
    assert.ok(!(await fetched(page)).some((n) => n.includes('sockscope-tools')),
      'the first view fetched the tools module');

    // The module cannot be fetched (simulated as the module's loader failing): the
    // panel says so, and the rest of the page goes on working.
    await page.evaluate(() => { globalThis.sockscopeTools = () => Promise.reject(new Error('the network is down')); }, null);
    const panel = page.locator(tid('capture-view'));
    await panel.locator('summary').click();
    await panel.locator(tid('capture-load-error')).waitFor();
    assert.match(await panel.locator(tid('capture-load-error')).innerText(), /could not be loaded: the network is down.*try again/s);
    await consoleLines(page, ['client: send(c, 100)']);

    // Closing and opening the panel tries again; now the module is fetched and draws.
    await page.evaluate(() => { delete globalThis.sockscopeTools; }, null);
    await panel.locator('summary').click();
    await panel.locator('summary').click();
    await panel.locator(tid('capture-connection')).waitFor();
    assert.equal(await panel.locator(tid('capture-load-error')).count(), 0);
    const names = await fetched(page);
    assert.ok(names.some((n) => n.endsWith('/sockscope-tools.js')), names.join('\n'));
    assert.ok(names.some((n) => n.endsWith('/sockscope-tools_bg.wasm')), names.join('\n'));
    // The panel follows the run: the send() made while the tools were missing goes out.
    await consoleLines(page, ['net: run']);
    // (A 100-byte bar is too thin to count as visible: it is enough that it is drawn.)
    await panel.locator(tid('tsg-segment')).first().waitFor({ state: 'attached' });
    assert.equal(await panel.locator(tid('tsg-segment')).count(), 1);
  });
});

/** Writes a pcap of `count` TCP segments of 64,000 bytes each from 10.0.0.1:40000 to
 * 10.0.0.2:80 (Ethernet, IPv4; checksums left zero); returns its size. */
function writeBigCapture(file, count) {
  const payload = 64_000;
  const frame = 14 + 20 + 20 + payload;
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262_144, 16);
  head.writeUInt32LE(1, 20);
  const rec = Buffer.alloc(16 + frame);
  rec.writeUInt32LE(frame, 8);
  rec.writeUInt32LE(frame, 12);
  rec.writeUInt16BE(0x0800, 16 + 12);
  const ip = 16 + 14;
  rec.writeUInt8(0x45, ip);
  rec.writeUInt16BE(20 + 20 + payload, ip + 2);
  rec.writeUInt8(64, ip + 8);
  rec.writeUInt8(6, ip + 9);
  Buffer.from([10, 0, 0, 1, 10, 0, 0, 2]).copy(rec, ip + 12);
  const tcp = ip + 20;
  rec.writeUInt16BE(40_000, tcp);
  rec.writeUInt16BE(80, tcp + 2);
  rec.writeUInt32BE(1, tcp + 8);
  rec.writeUInt8(5 << 4, tcp + 12);
  rec.writeUInt8(0x10, tcp + 13);
  rec.writeUInt16BE(65_535, tcp + 14);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    for (let i = 0; i < count; i++) {
      rec.writeUInt32LE(i, 0);
      rec.writeUInt32BE((1 + i * payload) % 2 ** 32, tcp + 4);
      writeSync(fd, rec);
    }
  } finally {
    closeSync(fd);
  }
  return head.length + count * rec.length;
}

test('a captures panel a tour folds away is taken down, not left running', T, async () => {
  await withPage('capture-unmount', async (page) => {
    await page.goto(appUrl());
    await consoleLines(page, ['client: c = socket(TCP); connect(c, 10.0.0.2:80)', 'net: run']);
    const panel = page.locator(tid('capture-view'));
    await panel.locator('summary').click();
    await panel.locator(tid('capture-connection')).waitFor();
    await page.evaluate(() => { globalThis.__captureRoot = document.querySelector('.capture-root'); }, null);
    // A tour folds the captures panel away: the page drops the element it was drawn in.
    await page.selectOption(tid('tour-picker'), 'udp');
    await page.locator(tid('folded')).waitFor();
    await page.waitForFunction(() => !globalThis.__captureRoot.isConnected, null);
    // The tools module's Yew app under it is destroyed too: it leaves nothing there.
    await page.waitForFunction(() => globalThis.__captureRoot.childElementCount === 0, null, { timeout: 5_000 });
    // Shown again, it is drawn afresh and works.
    await page.click(tid('unfold'));
    await panel.locator('summary').click();
    await panel.locator(tid('capture-file')).waitFor();
  });
});

test('a 1 GB capture is read a slice at a time: every packet, bounded memory, the session kept', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-big-'));
  try {
    const file = join(dir, 'big.pcap');
    const count = 15_625;
    const size = writeBigCapture(file, count);
    assert.ok(size > 1e9, `${size}`);
    await withPage('capture-big', async (page) => {
      await page.goto(appUrl());
      await consoleLines(page, ['client: c = socket(TCP); connect(c, 10.0.0.2:80)', 'net: run']);
      const panel = page.locator(tid('capture-view'));
      await panel.locator('summary').click();
      await panel.locator(tid('capture-file')).waitFor();
      await panel.locator(tid('capture-file')).setInputFiles(file);
      await panel.locator(tid('capture-note')).waitFor({ timeout: 500_000 });
      const note = await panel.locator(tid('capture-note')).innerText();
      assert.match(note, new RegExp(`^big\\.pcap: ${count} packets, 1 connection`), note);
      assert.doesNotMatch(note, /stopped|damaged|cut short/, note);
      // The tools module's memory, from its own module (the page imports it once;
      // its init gives back the instance it made): far below the file's size.
      const bytes = await page.evaluate(async () => {
        const m = await import(new URL('./sockscope-tools.js', location.href).href);
        return (await m.default()).memory.buffer.byteLength;
      }, null);
      console.log(`tools module memory after reading ${size} B: ${bytes} B`);
      assert.ok(bytes < size / 8, `the tools module holds ${bytes} B`);
      // The learner's session is as it was: the run's log and the console still work.
      await consoleLines(page, ['client: send(c, 10)']);
      await page.locator(`${tid('console-log')}:has-text("client: send(c, 10) = 10")`).waitFor();
      await panel.scrollIntoViewIfNeeded();
      await page.screenshot({ path: shotPath('capture-big.png') });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
