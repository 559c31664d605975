// The visualizer, driven through its UI only: a learner's flows from MODEL.md
// (handshake, byte stream, closing, deadlock, demultiplexing), time travel,
// input errors, accessibility and layout. Every test opens a fresh page.
//
// Waits are deterministic: every accepted input (a call, a step, "run until
// idle") lengthens the history, which the timeline slider exposes as its `max`;
// a rejected input shows the notice bar instead. So after each action we wait
// for one of those, never for a fixed time.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, axeViolations, shotPath, withPage } from './browser.mjs';
import { stressUrl } from './stress-scene.mjs';

const T = { timeout: 90_000 };
const CLIENT = 0; // pid of `browser` on host client (10.0.0.1)
const SERVER = 1; // pid of `httpd` on host server (10.0.0.2); fd 3 listens on *:80
const NETSTAT_HEADER = 'Proto Recv-Q Send-Q Local Address           Foreign Address         State';

const tid = (id) => `[data-testid="${id}"]`;

// ---------------------------------------------------------------- helpers

/** Polls `probe` (async, returns a truthy value when done) until it succeeds. */
async function until(probe, what, timeout = 10_000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Opens the app and waits until the listening web server is on screen. */
async function open(page) {
  await page.goto(appUrl(), { waitUntil: 'load' });
  await page.locator(tid('netstat-server')).waitFor({ state: 'visible', timeout: 20_000 });
  await until(async () => (await netstat(page, 'server')).some((r) => r.state === 'LISTEN'), 'the LISTEN row');
}

/** Length of the input history (the timeline's max). */
async function historyLen(page) {
  return Number(await page.locator(tid('timeline')).getAttribute('max'));
}

/** Runs `act` and waits until the history grew (input accepted) or a notice appeared. */
async function accepted(page, act, what) {
  const notice = page.locator(tid('notice'));
  // An old notice would look like a refusal of this input.
  assert.equal(await notice.count(), 0, `a notice is already showing before ${what}: dismiss it first`);
  const before = await historyLen(page);
  await act();
  await until(async () => (await historyLen(page)) > before || (await notice.count()) > 0, what);
  if ((await historyLen(page)) === before && (await notice.count()) > 0) {
    throw new Error(`${what} was rejected: ${await notice.innerText()}`);
  }
}

/** Fills one free field of the call form, whether it is an input or a select. */
async function setField(page, id, value) {
  const field = page.locator(`#${id}`);
  await field.waitFor({ state: 'attached' });
  if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(String(value));
  else await field.fill(String(value));
}

/** Picks `kind` in process `pid`'s form, fills it and presses Call (no waiting). */
async function fillCall(page, pid, kind, { fd, f1, f2 } = {}) {
  await page.locator(tid(`call-kind-${pid}`)).selectOption(kind);
  if (fd !== undefined) await page.locator(tid(`call-fd-${pid}`)).selectOption(String(fd));
  if (f1 !== undefined) await setField(page, `f1-${pid}-${kind}`, f1);
  if (f2 !== undefined) await setField(page, `f2-${pid}-${kind}`, f2);
  await page.locator(tid(`call-go-${pid}`)).click();
}

/** Makes a call through the form and waits until the engine took it. */
async function call(page, pid, kind, opts = {}) {
  await accepted(page, () => fillCall(page, pid, kind, opts), `${kind} by pid ${pid}`);
}

async function step(page) {
  await accepted(page, () => page.locator(tid('step')).click(), 'a step');
}

async function runIdle(page) {
  await accepted(page, () => page.locator(tid('run-idle')).click(), 'run until idle');
}

/** Steps until `cond()` holds; fails if nothing is left to run first. */
async function stepUntil(page, cond, what, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await cond()) return;
    assert.ok(await page.locator(tid('step')).isEnabled(), `nothing left to step, still waiting for ${what}`);
    await step(page);
  }
  assert.fail(`${what} did not happen within ${max} steps`);
}

/** Netstat layout: Rust's `{:<5} {:>6} {:>6} {:<23} {:<23} {}` (trailing blanks trimmed). */
function netstatLine({ proto, recvQ, sendQ, local, foreign, state }) {
  return [proto.padEnd(5), String(recvQ).padStart(6), String(sendQ).padStart(6), local.padEnd(23), foreign.padEnd(23), state]
    .join(' ')
    .trimEnd();
}

/** The rows of one host's netstat pane, checked against the exact column layout. */
async function netstat(page, host) {
  const text = await page.locator(tid(`netstat-${host}`)).textContent();
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
  assert.equal(lines[0], NETSTAT_HEADER, `netstat-${host} header`);
  return lines.slice(1).map((line) => {
    const [proto, recvQ, sendQ, local, foreign, state = ''] = line.trim().split(/\s+/);
    const row = { proto, recvQ: Number(recvQ), sendQ: Number(sendQ), local, foreign, state, line };
    assert.equal(netstatLine(row), line, `netstat-${host} row is not in netstat's column layout`);
    return row;
  });
}

/** The one connection row (not the listener) of a host's netstat. */
async function connRow(page, host) {
  const rows = (await netstat(page, host)).filter((r) => r.state !== 'LISTEN');
  assert.equal(rows.length, 1, `expected one connection on ${host}, got:\n${rows.map((r) => r.line).join('\n')}`);
  return rows[0];
}

async function procText(page, pid) {
  return page.locator(tid(`proc-${pid}`)).innerText();
}

/** The name a process's panel shows in its heading (`browser` in “browser pid 0”). */
async function processName(page, pid) {
  // The heading's own text, before the pid and the Program button.
  const heading = await page.locator(`${tid(`proc-${pid}`)} .proc-name`).first().evaluate((h) => h.firstChild.textContent);
  const name = heading.trim();
  assert.ok(name, `no process name in “${heading}”`);
  return name;
}

/** Waits until process `pid`'s panel shows `text`. */
async function procShows(page, pid, text) {
  await until(async () => (await procText(page, pid)).includes(text), `proc-${pid} to show “${text}”`).catch(async (e) => {
    throw new Error(`${e.message}; panel:\n${await procText(page, pid)}`);
  });
}

/** client socket + connect, httpd accept, run the handshake to the end. */
async function connectPair(page) {
  await call(page, CLIENT, 'socket');
  await procShows(page, CLIENT, 'socket(TCP) = 3');
  await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
  await call(page, SERVER, 'accept', { fd: 3 });
  await runIdle(page);
  await procShows(page, CLIENT, 'connect(3, 10.0.0.2:80) = 0');
  await procShows(page, SERVER, 'accept(3) = 4');
}

async function shot(page, name) {
  // From the top, so the sticky controls bar sits where it belongs in the image.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shotPath(`visualizer-${name}.png`), fullPage: true });
}

/**
 * Clicks segment `id` on the ladder where a learner would: its label. The
 * sticky controls bar can cover a segment that was scrolled just into view,
 * so the segment is first scrolled to the middle of the viewport.
 */
async function clickSegment(page, id) {
  const seg = page.locator(tid(`seg-${id}`));
  await seg.evaluate((e) => e.scrollIntoView({ block: 'center' }));
  await seg.locator('text.seg-label').click();
}

/**
 * The demux panel's text, read once the panel is scrolled into view: the lower panels
 * are `content-visibility: auto`, and a browser may leave an off-screen one unrendered
 * (Firefox then reports no text and stale sizes), as it would for a learner who has
 * not scrolled there.
 */
async function demuxText(page) {
  const demux = page.locator(tid('demux'));
  if ((await demux.count()) === 0) return '';
  await demux.scrollIntoViewIfNeeded();
  return demux.innerText();
}

/** aria-labels of all segments on the ladder, in order. */
async function segmentLabels(page) {
  return page
    .locator(`${tid('ladder')} [data-testid^="seg-"]`)
    .evaluateAll((els) => els.map((e) => `${e.dataset.testid}: ${e.getAttribute('aria-label')}`));
}

// ---------------------------------------------------------------- tests

test('handshake: connect blocks, SYN_RCVD then ESTABLISHED, accept returns', T, async () => {
  await withPage('visualizer-handshake', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    await procShows(page, CLIENT, 'socket(TCP) = 3');
    // An arrow leads from descriptor 3 to the new structure's card.
    const arrows = page.locator(`${tid('host-client')} svg.fd-arrows > path`);
    await until(async () => (await arrows.count()) === 1, 'one descriptor arrow on the client');
    const ends = await arrows.first().evaluate((p) => {
      const box = (sel) => document.querySelector(sel).getBoundingClientRect();
      const len = p.getTotalLength();
      const [a, b] = [p.getPointAtLength(0), p.getPointAtLength(len)];
      const host = p.ownerSVGElement.getBoundingClientRect();
      return { a: [a.x + host.left, a.y + host.top], b: [b.x + host.left, b.y + host.top], row: box('[data-testid="host-client"] [data-fd-sock]'), card: box('[data-testid="host-client"] [data-sock]') };
    });
    const near = ([x, y], r) => x >= r.left - 12 && x <= r.right + 12 && y >= r.top - 12 && y <= r.bottom + 12;
    assert.ok(near(ends.a, ends.row), `the arrow starts at the descriptor row: ${JSON.stringify(ends)}`);
    assert.ok(near(ends.b, ends.card), `the arrow ends at the structure's card: ${JSON.stringify(ends)}`);
    await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    await procShows(page, CLIENT, 'Blocked in connect(3, 10.0.0.2:80)');
    assert.equal((await connRow(page, 'client')).state, 'SYN_SENT');
    await call(page, SERVER, 'accept', { fd: 3 });
    await procShows(page, SERVER, 'Blocked in accept(3)');

    const seen = { server: [], client: [] };
    const record = async () => {
      for (const host of ['server', 'client']) {
        for (const r of await netstat(page, host)) {
          if (r.state !== 'LISTEN' && seen[host].at(-1) !== r.state) seen[host].push(r.state);
        }
      }
    };
    await stepUntil(page, async () => {
      await record();
      return seen.server.includes('SYN_RCVD');
    }, 'a SYN_RCVD row on the server');
    // While SYN_RCVD, netstat shows both the listener and the new structure (MODEL §5).
    const rows = await netstat(page, 'server');
    assert.deepEqual(rows.map((r) => r.state).sort(), ['LISTEN', 'SYN_RCVD'], rows.map((r) => r.line).join('\n'));
    const synRcvd = rows.find((r) => r.state === 'SYN_RCVD');
    assert.equal(synRcvd.local, '10.0.0.2:80');
    assert.match(synRcvd.foreign, /^10\.0\.0\.1:\d+$/);
    const client = await connRow(page, 'client');
    assert.equal(client.local, synRcvd.foreign, 'the server structure names the client endpoint');

    await stepUntil(page, async () => {
      await record();
      return seen.server.at(-1) === 'ESTABLISHED';
    }, 'ESTABLISHED on the server');
    assert.deepEqual(seen.server, ['SYN_RCVD', 'ESTABLISHED']);
    assert.deepEqual(seen.client, ['SYN_SENT', 'ESTABLISHED']);
    assert.equal((await connRow(page, 'client')).state, 'ESTABLISHED');

    const labels = await segmentLabels(page);
    const flags = labels.map((l) => l.replace(/^seg-\d+: Segment \d+: /, '').split(' ')[0]);
    assert.deepEqual(flags.slice(0, 3), ['SYN', 'SYN+ACK', 'ACK'], labels.join('\n'));

    await procShows(page, SERVER, 'accept(3) = 4');
    await procShows(page, CLIENT, 'connect(3, 10.0.0.2:80) = 0');
    assert.ok(!(await procText(page, SERVER)).includes('Blocked'));
    await shot(page, 'handshake');
  });
});

test('send/recv: a byte stream, recv returns what is in RecvQ', T, async () => {
  await withPage('visualizer-send-recv', async (page) => {
    await open(page);
    await connectPair(page);
    for (const n of [1000, 2000, 5000]) {
      await call(page, CLIENT, 'send', { fd: 3, f1: n });
      await procShows(page, CLIENT, `send(3, ${n}) = ${n}`);
    }
    const TOTAL = 8000;
    const history = [];
    await stepUntil(page, async () => {
      const c = await connRow(page, 'client');
      const s = await connRow(page, 'server');
      history.push(`client Send-Q ${c.sendQ}, server Recv-Q ${s.recvQ}`);
      // Nothing was read yet: every acknowledged byte (gone from Send-Q) sits in
      // the server's Recv-Q, and neither queue holds more than was sent.
      assert.ok(c.sendQ <= TOTAL && s.recvQ <= TOTAL, history.join('\n'));
      assert.ok(TOTAL - c.sendQ <= s.recvQ, `acknowledged bytes missing from Recv-Q:\n${history.join('\n')}`);
      return s.recvQ > 0 && c.sendQ < TOTAL;
    }, 'server Recv-Q > 0 and client Send-Q < 8000');
    await page.locator(tid('connections')).waitFor({ state: 'visible' });

    const before = (await connRow(page, 'server')).recvQ;
    const expect = Math.min(before, 2000);
    await call(page, SERVER, 'recv', { fd: 4, f1: 2000 });
    await procShows(page, SERVER, `recv(4, 2000) = ${expect}`);
    const after = (await connRow(page, 'server')).recvQ;
    assert.equal(after, before - expect, `server Recv-Q after recv (was ${before}, read ${expect})`);
    await shot(page, 'send-recv');

    // Everything arrives in the end, in whatever chunks: read it all.
    await runIdle(page);
    assert.equal((await connRow(page, 'client')).sendQ, 0);
    assert.equal((await connRow(page, 'server')).recvQ, TOTAL - expect);
  });
});

test('close: FIN reaches the server, recv returns 0, client ends in TIME_WAIT', T, async () => {
  await withPage('visualizer-close', async (page) => {
    await open(page);
    await connectPair(page);
    await call(page, CLIENT, 'close', { fd: 3 });
    await procShows(page, CLIENT, 'close(3) = 0');
    await runIdle(page);
    assert.equal((await connRow(page, 'server')).state, 'CLOSE_WAIT');
    assert.equal((await connRow(page, 'client')).state, 'FIN_WAIT_2');
    await call(page, SERVER, 'recv', { fd: 4, f1: 2000 });
    await procShows(page, SERVER, 'recv(4, 2000) = 0');
    await call(page, SERVER, 'close', { fd: 4 });
    await procShows(page, SERVER, 'close(4) = 0');
    await runIdle(page);
    assert.equal((await connRow(page, 'client')).state, 'TIME_WAIT');
    const server = await netstat(page, 'server');
    assert.deepEqual(server.map((r) => r.state), ['LISTEN'], 'the server structure is gone after LAST_ACK');
    const labels = (await segmentLabels(page)).join('\n');
    assert.match(labels, /FIN/, 'the ladder shows the FINs');
    await shot(page, 'close-time-wait');
  });
});

test('deadlock: SQS = RQS = 500 on both sides, each sends 1500', T, async () => {
  await withPage('visualizer-deadlock', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    for (const [pid, fd] of [[CLIENT, 3], [SERVER, 3]]) {
      for (const opt of ['SO_SNDBUF', 'SO_RCVBUF']) {
        await call(page, pid, 'setsockopt', { fd, f1: opt, f2: 500 });
        await procShows(page, pid, `setsockopt(${fd}, ${opt}, 500) = 0`);
      }
    }
    await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    await call(page, SERVER, 'accept', { fd: 3 });
    await runIdle(page);
    await procShows(page, SERVER, 'accept(3) = 4');
    await call(page, CLIENT, 'send', { fd: 3, f1: 1500 });
    await procShows(page, CLIENT, 'Blocked in send(3, 1500)');
    await call(page, SERVER, 'send', { fd: 4, f1: 1500 });
    await procShows(page, SERVER, 'Blocked in send(4, 1500)');
    await runIdle(page);

    const banner = page.locator(tid('deadlock'));
    await banner.waitFor({ state: 'visible' });
    const text = await banner.innerText();
    // Processes are named as their panels name them (`browser`, `httpd`).
    for (const [pid, host] of [[CLIENT, 'client'], [SERVER, 'server']]) {
      const name = await processName(page, pid);
      // A process named after its host is called by that one name.
      const who = name === host ? name : `${name} on ${host}`;
      assert.ok(text.includes(`${who} is blocked in send`), `banner lacks “${who}”:\n${text}`);
    }
    // MODEL §3 reference case: 500 in the peer's RecvQ, 500 in the own SendQ,
    // 500 still in the caller's buffer, on both sides.
    const parts = text.split('\n').filter((l) => /is blocked in send/.test(l));
    assert.equal(parts.length, 2, text);
    for (const line of parts) {
      assert.match(line, /500 of 1500 bytes are still in its own buffer/, line);
      assert.match(line, /SendQ holds 500 of SQS = 500/, line);
      assert.match(line, /RecvQ holds 500 of RQS = 500/, line);
    }
    for (const host of ['client', 'server']) {
      const r = await connRow(page, host);
      assert.deepEqual([r.recvQ, r.sendQ, r.state], [500, 500, 'ESTABLISHED'], r.line);
    }
    await shot(page, 'deadlock');
  });
});

test('demux: selecting a segment shows the winner and marks its structure', T, async () => {
  await withPage('visualizer-demux', async (page) => {
    await open(page);
    await connectPair(page);
    const demux = page.locator(tid('demux'));

    // The SYN: only the listener (#0, three wildcards) can take it.
    await clickSegment(page, 0);
    await until(async () => /segment 0/.test(await demuxText(page)), 'the demux view of segment 0');
    const winnerRow = demux.locator('tbody tr', { hasText: '★' });
    assert.equal(await winnerRow.count(), 1);
    assert.match(await winnerRow.locator('th').innerText(), /^#0 ★$/);
    assert.match(await demux.locator('.verdict').innerText(), /Structure #0 wins/);
    await until(async () => /\bwinner\b/.test(await page.locator(tid('sock-0')).getAttribute('class')), 'sock-0 marked winner');
    assert.ok(!/\bwinner\b/.test(await page.locator(tid('sock-2')).getAttribute('class')), 'only the winner is marked');
    await shot(page, 'demux-syn');

    // The final ACK: the listener still matches, but the connection (#2) has no
    // wildcards and wins (MODEL §6: fewest wildcards).
    await clickSegment(page, 2);
    await until(async () => /segment 2/.test(await demuxText(page)), 'the demux view of segment 2');
    const rows = await demux.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
    const byId = Object.fromEntries(rows.map((r) => [r[0].replace(' ★', ''), r]));
    assert.ok(byId['#0'] && byId['#2'], JSON.stringify(rows));
    assert.equal(byId['#2'][0], '#2 ★', JSON.stringify(rows));
    assert.equal(byId['#0'][0], '#0');
    assert.equal(byId['#2'].at(-1), '0', 'the connection has no wildcards');
    assert.equal(byId['#0'].at(-1), '3', 'the listener has three wildcards');
    assert.match(await demux.locator('.verdict').innerText(), /Structure #2 wins/);
    await until(async () => /\bwinner\b/.test(await page.locator(tid('sock-2')).getAttribute('class')), 'sock-2 marked winner');
    assert.ok(!/\bwinner\b/.test(await page.locator(tid('sock-0')).getAttribute('class')));
  });
});

test('demux: a segment can be selected with the keyboard without starting play', T, async () => {
  await withPage('visualizer-demux-keyboard', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    await step(page); // the SYN has arrived; more is scheduled, so Play is enabled
    const clock = await page.locator(tid('clock')).innerText();
    await page.locator(tid('seg-0')).focus();
    await page.keyboard.press('Space');
    await until(async () => (await page.locator(tid('demux')).count()) > 0, 'the demux view after Space on a segment');
    assert.match(await page.locator(tid('play')).innerText(), /Play/, 'Space on a segment must only select it, not start playing');
    assert.equal(await page.locator(tid('clock')).innerText(), clock);
  });
});

test('ladder: a selected segment can take the replay back to when it arrived', T, async () => {
  await withPage('visualizer-go-back', async (page) => {
    await open(page);
    await connectPair(page);
    await clickSegment(page, 1); // the SYN+ACK
    await page.locator(tid('demux-go-back')).click();
    await until(async () => (await connRow(page, 'server')).state !== 'ESTABLISHED' || (await netstat(page, 'server')).some((r) => r.state === 'SYN_RCVD'), 'the replay to go back');
    // At the moment the SYN+ACK arrived, the client has just become ESTABLISHED
    // and the server's structure is still waiting in SYN_RCVD.
    assert.equal((await connRow(page, 'client')).state, 'ESTABLISHED');
    const server = await netstat(page, 'server');
    assert.ok(server.some((r) => r.state === 'SYN_RCVD'), JSON.stringify(server));
    await shot(page, 'go-back');
  });
});

test('ladder: a segment on the wire is painted on the canvas, and a click on it selects it', T, async () => {
  await withPage('visualizer-flight', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    // Part of the way: the SYN (50 ms one way) has been travelling for 20 ms.
    await accepted(page, async () => {
      await page.locator(tid('console-input')).fill('net: run 20ms');
      await page.locator(tid('console-run')).click();
    }, 'net: run 20ms');
    const seg = page.locator(tid('seg-0'));
    assert.match(await seg.getAttribute('class'), /\bin-flight\b/);
    // Moving arrows are drawn on the canvas over the SVG, in the SYN's colour.
    const canvas = page.locator(`${tid('ladder')} .flights canvas`);
    // Typing in the console scrolled the page down to it; bring the wire back.
    await page.locator(`${tid('ladder')} svg`).evaluate((svg) => svg.scrollIntoView({ block: 'center' }));
    const hit = await until(() => canvas.evaluate((c) => {
      const { data, width, height } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      const r = c.getBoundingClientRect();
      const painted = [];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = 4 * (y * width + x);
          // #1f63a8, opaque: a pixel of the SYN's line or head.
          if (data[i + 3] === 255 && data[i] === 0x1f && data[i + 1] === 0x63 && data[i + 2] === 0xa8) painted.push([x, y]);
        }
      }
      if (painted.length < 20) return null;
      // The middle of the arrow, where a learner would click it.
      const [x, y] = painted[Math.floor(painted.length / 2)];
      return { x: r.left + (x / width) * r.width, y: r.top + (y / height) * r.height,  };
    }), 'the SYN painted on the canvas');
    await page.mouse.click(hit.x, hit.y);
    await until(async () => /\bselected\b/.test(await seg.getAttribute('class')), 'the moving SYN selected by a click');
    await until(async () => /segment 0/.test(await demuxText(page)), 'the demux view of the moving SYN');
    await shot(page, 'flight');
  });
});

test('time travel: step back, timeline and the step-back button', T, async () => {
  await withPage('visualizer-step-back', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    const clock = () => page.locator(tid('clock')).innerText();
    assert.equal(await clock(), 't = 0.000 s');
    await step(page);
    await step(page);
    await step(page);
    assert.equal(await clock(), 't = 0.150 s');
    assert.equal((await connRow(page, 'server')).state, 'ESTABLISHED');

    const len = await historyLen(page);
    await page.locator(tid('step-back')).click();
    await until(async () => (await historyLen(page)) === len - 1, 'history to shrink');
    assert.equal(await clock(), 't = 0.100 s');
    assert.equal((await connRow(page, 'server')).state, 'SYN_RCVD', 'the final ACK is undone');
    assert.equal((await connRow(page, 'client')).state, 'ESTABLISHED');

    // The timeline replays from the start: position 1 is just after socket().
    await page.locator(tid('timeline')).fill('1');
    await until(async () => (await historyLen(page)) === 1, 'the timeline to rewind');
    assert.equal(await clock(), 't = 0.000 s');
    assert.equal((await connRow(page, 'client')).state, 'CLOSED');
    await procShows(page, CLIENT, 'socket(TCP) = 3');
    await shot(page, 'step-back');
  });
});

test('keyboard: arrows step and step back, space toggles play (focus on the page)', T, async () => {
  await withPage('visualizer-keyboard', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    const clock = () => page.locator(tid('clock')).innerText();
    // Where a learner's focus is after clicking an empty part of the page.
    await page.locator('h1').click();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
    const len = await historyLen(page);
    await page.keyboard.press('ArrowRight');
    await until(async () => (await historyLen(page)) === len + 1, 'ArrowRight (focus on body) to step', 3000).catch(() => {});
    assert.equal(await clock(), 't = 0.050 s', 'ArrowRight with focus on the page runs the next event');
    await page.keyboard.press('ArrowLeft');
    await until(async () => (await historyLen(page)) === len, 'ArrowLeft to step back', 3000).catch(() => {});
    assert.equal(await clock(), 't = 0.000 s', 'ArrowLeft steps back');

    const play = page.locator(tid('play'));
    assert.match(await play.innerText(), /Play/);
    await page.keyboard.press('Space');
    await until(async () => /Pause/.test(await play.innerText()), 'space to start playing', 3000).catch(() => {});
    assert.match(await play.innerText(), /Pause/, 'space starts playing');
    await page.keyboard.press('Space');
    await until(async () => /Play/.test(await play.innerText()), 'space to pause', 3000).catch(() => {});
    assert.match(await play.innerText(), /Play/, 'space pauses');
  });
});

test('keyboard: arrows and space work with focus on a socket card', T, async () => {
  await withPage('visualizer-keyboard-card', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    await call(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    const clock = () => page.locator(tid('clock')).innerText();
    await page.locator(tid('sock-1')).focus();
    const len = await historyLen(page);
    await page.keyboard.press('ArrowRight');
    await until(async () => (await historyLen(page)) === len + 1, 'ArrowRight to step');
    assert.equal(await clock(), 't = 0.050 s');
    await page.keyboard.press('ArrowRight');
    await until(async () => (await historyLen(page)) === len + 2, 'ArrowRight to step');
    assert.equal(await clock(), 't = 0.100 s');
    await page.keyboard.press('ArrowLeft');
    await until(async () => (await historyLen(page)) === len + 1, 'ArrowLeft to step back');
    assert.equal(await clock(), 't = 0.050 s');
    assert.equal((await connRow(page, 'client')).state, 'SYN_SENT');

    // Keys pressed in a form field belong to the field: of these two presses
    // only the second (on the card again) may step.
    await page.locator(tid('call-kind-0')).focus();
    await page.keyboard.press('ArrowRight');
    await page.locator(tid('sock-1')).focus();
    await page.keyboard.press('ArrowRight');
    await until(async () => (await historyLen(page)) >= len + 2, 'ArrowRight to step');
    assert.equal(await historyLen(page), len + 2, 'ArrowRight in a <select> must not step');
    assert.equal(await clock(), 't = 0.100 s');

    const play = page.locator(tid('play'));
    await page.locator(tid('sock-1')).focus();
    await page.keyboard.press('Space');
    await until(async () => /Pause/.test(await play.innerText()), 'space to start playing');
    await page.keyboard.press('Space');
    await until(async () => /Play/.test(await play.innerText()), 'space to pause');
    assert.ok(!(await play.isDisabled()));
  });
});

test('socket cards stay the same cards while structures come and go beside them', T, async () => {
  await withPage('visualizer-card-kept', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket'); // fd 3, structure #1
    const keep = (id) =>
      page.locator(tid(id)).evaluate((card) => {
        window.kept = card;
      });
    const kept = (id) =>
      page.evaluate((id) => window.kept.isConnected && window.kept === document.querySelector(`[data-testid="${id}"]`), id);
    await keep('sock-1');
    await call(page, CLIENT, 'socket'); // fd 4, structure #2
    assert.ok(await kept('sock-1'), "structure #1's card was drawn anew when #2 came");
    await keep('sock-2');
    await call(page, CLIENT, 'close', { fd: 3 });
    await until(async () => (await page.locator(tid('sock-1')).count()) === 0, 'structure #1 to be freed');
    assert.ok(await kept('sock-2'), "structure #2's card was drawn anew when #1 left");
  });
});

test('bad input: a service name instead of a port is refused with a clear notice', T, async () => {
  await withPage('visualizer-bad-input', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    const before = { client: await netstat(page, 'client'), server: await netstat(page, 'server'), len: await historyLen(page) };
    await fillCall(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:http' });
    const notice = page.locator(tid('notice'));
    await notice.waitFor({ state: 'visible' });
    const text = await notice.innerText();
    assert.match(text, /“http” is not a port number/, text);
    assert.match(text, /0 to 65535/, text);
    assert.deepEqual(await netstat(page, 'client'), before.client, 'client netstat changed');
    assert.deepEqual(await netstat(page, 'server'), before.server, 'server netstat changed');
    assert.equal(await historyLen(page), before.len, 'a refused input is not recorded');
    const panel = await procText(page, CLIENT);
    assert.ok(!panel.includes('Blocked'), panel);
    assert.ok(panel.includes('socket(TCP) = 3'), panel);
    await shot(page, 'bad-input');

    // A valid call afterwards is taken and clears the notice.
    await fillCall(page, CLIENT, 'connect', { fd: 3, f1: '10.0.0.2:80' });
    await until(async () => (await historyLen(page)) === before.len + 1, 'the valid connect to be taken');
    await procShows(page, CLIENT, 'Blocked in connect(3, 10.0.0.2:80)');
    await until(async () => (await notice.count()) === 0, 'the notice to go away');
  });
});

test('call form: what the learner typed survives other activity and a refused call', T, async () => {
  await withPage('visualizer-form-values', async (page) => {
    await open(page);
    await call(page, CLIENT, 'socket');
    const field = page.locator('#f1-0-connect');
    await page.locator(tid('call-kind-0')).selectOption('connect');
    await field.fill('10.0.0.2:8080');
    // Something else happens on the page: the server makes a call.
    await call(page, SERVER, 'getsockopt', { fd: 3, f1: 'SO_RCVBUF' });
    await procShows(page, SERVER, 'getsockopt(3, SO_RCVBUF) = 0');
    const afterOther = await field.inputValue();
    // A refused call: the notice explains, the text stays there to be corrected.
    await field.fill('10.0.0.2:http');
    await page.locator(tid('call-go-0')).click();
    await page.locator(tid('notice')).waitFor({ state: 'visible' });
    const afterRefused = await field.inputValue();
    assert.deepEqual(
      { afterOther, afterRefused },
      { afterOther: '10.0.0.2:8080', afterRefused: '10.0.0.2:http' },
      'typed values were reset to the defaults',
    );
  });
});

test('accessibility: no serious or critical axe violations after a handshake', T, async () => {
  await withPage('visualizer-a11y', async (page) => {
    await open(page);
    await connectPair(page);
    await clickSegment(page, 0); // the demux table is on screen too
    await page.locator(tid('demux')).locator('table').waitFor();
    const violations = await axeViolations(page);
    const report = violations
      .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
      .join('\n');
    if (violations.length > 0) console.log(`axe violations (all):\n${report}`);
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.equal(bad.length, 0, `serious/critical axe violations:\n${report}`);
  });
});

/** Horizontal overflow of the page: its scroll width, and the outermost
 * elements that stick out past the viewport (ignoring those inside a box that
 * scrolls or clips horizontally on its own). */
async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const edge = document.documentElement.clientWidth + 1;
    const clipped = (e) => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    const out = [...document.querySelectorAll('body *')].filter(
      (e) => e.getBoundingClientRect().right > edge && !clipped(e),
    );
    const outermost = out.filter((e) => !out.includes(e.parentElement));
    const name = (e) => {
      const cls = typeof e.className === 'string' ? e.className : e.className?.baseVal ?? '';
      const id = e.dataset?.testid ? `[data-testid=${e.dataset.testid}]` : '';
      return `${e.tagName.toLowerCase()}${cls ? `.${cls.trim().split(/\s+/).join('.')}` : ''}${id} (right ${Math.round(e.getBoundingClientRect().right)})`;
    };
    return { width: document.documentElement.scrollWidth, culprits: outermost.slice(0, 8).map(name) };
  });
}

test('layout: at 360 px the hosts stack and nothing scrolls sideways', T, async () => {
  await withPage('visualizer-layout-360', async (page) => {
    await page.setViewportSize({ width: 360, height: 780 });
    await open(page);
    await connectPair(page);
    const client = await page.locator(tid('host-client')).boundingBox();
    const server = await page.locator(tid('host-server')).boundingBox();
    assert.ok(server.y >= client.y + client.height - 1, `hosts not stacked: client ${JSON.stringify(client)}, server ${JSON.stringify(server)}`);
    const o = await horizontalOverflow(page);
    await shot(page, 'layout-360');
    assert.ok(o.width <= 361, `horizontal scrolling at 360 px: scrollWidth ${o.width}; sticking out: ${o.culprits.join(', ')}`);
  });
});

test('layout: the demux table fits its panel and never widens the page (360, 1280, 1500 px)', T, async () => {
  await withPage('visualizer-layout-demux', async (page) => {
    await open(page);
    await connectPair(page);
    await clickSegment(page, 2); // the ACK: two structures compared, the widest table
    await page.locator(tid('demux')).locator('table').waitFor();
    const problems = [];
    for (const width of [360, 1280, 1500]) {
      await page.setViewportSize({ width, height: 900 });
      // Measured where a learner would see it (an off-screen panel may not be laid out).
      await page.locator(tid('demux')).scrollIntoViewIfNeeded();
      const o = await horizontalOverflow(page);
      const fit = await page.locator(tid('demux')).evaluate((panel) => {
        // The table may scroll inside its own box, but must not stick out of the panel.
        const table = panel.querySelector('table');
        let right = table.getBoundingClientRect().right;
        for (let a = table.parentElement; a; a = a.parentElement) {
          if (getComputedStyle(a).overflowX !== 'visible') right = Math.min(right, a.getBoundingClientRect().right);
          if (a === panel) break;
        }
        return { panelRight: Math.round(panel.getBoundingClientRect().right), tableRight: Math.round(right) };
      });
      await shot(page, `layout-demux-${width}`);
      if (o.width > width + 1) problems.push(`${width} px: page scrollWidth ${o.width} (${o.culprits.join(', ')})`);
      if (fit.tableRight > fit.panelRight + 1) problems.push(`${width} px: table ends at ${fit.tableRight}, its panel at ${fit.panelRight}`);
    }
    assert.deepEqual(problems, [], problems.join('\n'));
  });
});

test('layout: at 1500 px the hosts sit side by side with the wire between them', T, async () => {
  await withPage('visualizer-layout-1500', async (page) => {
    await page.setViewportSize({ width: 1500, height: 900 });
    await open(page);
    await connectPair(page);
    const c = await page.locator(tid('host-client')).boundingBox();
    const l = await page.locator(tid('ladder')).boundingBox();
    const s = await page.locator(tid('host-server')).boundingBox();
    assert.ok(c.x + c.width <= l.x + 1 && l.x + l.width <= s.x + 1, `not client | wire | server: ${JSON.stringify({ c, l, s })}`);
    const o = await horizontalOverflow(page);
    await shot(page, 'layout-1500');
    assert.ok(o.width <= 1501, `horizontal scrolling at 1500 px: scrollWidth ${o.width}; sticking out: ${o.culprits.join(', ')}`);
  });
});

// ------------------------------------------------ the design pass (issue 19)

test('descriptor arrows run in the margin and never cross a word of a process or a card', T, async () => {
  await withPage('visualizer-fd-arrows', async (page) => {
    await open(page);
    await connectPair(page);
    await call(page, CLIENT, 'socket');
    for (const host of ['client', 'server']) {
      // The arrows are drawn from measured positions, after the render that adds a row.
      const arrows = `${tid(`host-${host}`)} .fd-arrows > path`;
      await until(async () => (await page.locator(arrows).count()) >= 2, `${host}'s descriptor arrows`);
      const found = await page.locator(tid(`host-${host}`)).evaluate((hostEl) => {
        // Every piece of text of the host, outside SVG (client coordinates).
        const rects = [];
        const walker = document.createTreeWalker(hostEl, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          // Words a learner sees: not the SVG's, not those only for screen readers.
          if (!n.textContent.trim() || n.parentElement.closest('svg, .visually-hidden')) continue;
          const range = document.createRange();
          range.selectNodeContents(n);
          for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) rects.push(r);
        }
        const svg = hostEl.querySelector('.fd-arrows');
        const o = svg.getBoundingClientRect();
        const paths = [...svg.querySelectorAll(':scope > path')];
        const crossings = [];
        for (const p of paths) {
          const len = p.getTotalLength();
          for (let d = 6; d < len - 6; d += 2) {
            const { x, y } = p.getPointAtLength(d);
            const [cx, cy] = [o.left + x, o.top + y];
            const hit = rects.find((r) => cx > r.left && cx < r.right && cy > r.top && cy < r.bottom);
            if (hit) crossings.push(`(${Math.round(cx)}, ${Math.round(cy)}) over text at ${Math.round(hit.left)},${Math.round(hit.top)}`);
          }
        }
        return { paths: paths.length, crossings };
      });
      assert.ok(found.paths >= 2, `${host}: ${found.paths} arrows drawn`);
      assert.deepEqual(found.crossings, [], `${host}: an arrow crosses text`);
    }
    await shot(page, 'fd-arrows');
  });
});

test('the wire: a focused segment keeps its focus while newer segments push the oldest off', T, async () => {
  await withPage('visualizer-ladder-focus', async (page) => {
    // The stress scene keeps the ladder full (it draws the newest segments), so every
    // few frames the oldest leave as new ones are sent.
    await page.goto(stressUrl(appUrl()), { waitUntil: 'load' });
    const drawnSegments = `${tid('ladder')} [data-testid^="seg-"]`;
    await until(async () => (await page.locator(drawnSegments).count()) >= 40, 'a ladder full of segments', 30_000);
    // The newest segment stays drawn the longest. It is focused and watched from the
    // page itself, frame by frame, so the check falls on the first frame after the
    // oldest drawn at that moment left.
    const after = await page.evaluate(
      (selector) =>
        new Promise((resolve, reject) => {
          const drawn = () => [...document.querySelectorAll(selector)].map((g) => Number(g.dataset.seg));
          const [oldest, id] = [Math.min(...drawn()), Math.max(...drawn())];
          const g = document.querySelector(`[data-testid="seg-${id}"]`);
          g.focus();
          const giveUp = setTimeout(() => reject(new Error('the oldest segment never left the ladder')), 30_000);
          const frame = () => {
            const ids = drawn();
            if (ids.includes(oldest) || Math.max(...ids) <= id) return requestAnimationFrame(frame);
            clearTimeout(giveUp);
            resolve({
              id,
              connected: g.isConnected,
              focused: document.activeElement === g,
              active: document.activeElement?.dataset?.testid ?? document.activeElement?.tagName,
            });
          };
          requestAnimationFrame(frame);
        }),
      drawnSegments,
    );
    assert.ok(after.connected, `seg-${after.id}'s element was replaced when newer segments came`);
    assert.ok(after.focused, `focus moved to ${after.active}, not seg-${after.id}`);
    await shot(page, 'ladder-focus');
  });
});

test('the wire: no two words on the ladder overlap while many segments fly', T, async () => {
  await withPage('visualizer-ladder-words', async (page) => {
    await open(page);
    await connectPair(page);
    await call(page, CLIENT, 'send', { fd: 3, f1: '9000' });
    await call(page, SERVER, 'send', { fd: 4, f1: '6000' });
    const boxes = () =>
      page.locator(tid('ladder')).evaluate((l) =>
        [...l.querySelectorAll('.seg-label-bg, .seg-detail-bg')].map((r) => r.getBoundingClientRect()).map(({ left, top, right, bottom }) => ({ left, top, right, bottom })),
      );
    const overlaps = [];
    let seen = 0;
    for (let i = 0; i < 30 && (await page.locator(tid('step')).isEnabled()); i++) {
      await step(page);
      const b = await boxes();
      seen = Math.max(seen, b.length);
      for (let j = 0; j < b.length; j++)
        for (let k = j + 1; k < b.length; k++) {
          const [p, q] = [b[j], b[k]];
          if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5) overlaps.push(`step ${i}: ${j} and ${k}`);
        }
    }
    await shot(page, 'ladder-words');
    assert.ok(seen >= 6, `only ${seen} words on the ladder`);
    assert.deepEqual(overlaps, []);
  });
});

test('a larger wire on demand: keyboard, aria-pressed, the whole width, taller rows, kept for the session', T, async () => {
  await withPage('visualizer-large-wire', async (page) => {
    await open(page);
    await connectPair(page);
    const button = page.locator(tid('ladder-large'));
    assert.equal(await button.getAttribute('aria-pressed'), 'false');
    const rowHeight = () => page.locator(`${tid('seg-0')} path`).evaluate((p) => p.getBoundingClientRect().height);
    const before = { ladder: await page.locator(tid('ladder')).boundingBox(), row: await rowHeight() };
    await button.focus();
    await page.keyboard.press('Enter');
    await page.locator(`${tid('ladder-large')}[aria-pressed="true"]`).waitFor();
    const stage = await page.locator('main.stage').boundingBox();
    const after = { ladder: await page.locator(tid('ladder')).boundingBox(), row: await rowHeight() };
    assert.ok(after.ladder.width > stage.width - 2, `the wire is ${after.ladder.width} px wide, the stage ${stage.width}`);
    assert.ok(after.ladder.width > before.ladder.width * 2, 'the wire is much wider');
    assert.ok(after.row > before.row * 1.5, `rows are taller: ${before.row} → ${after.row}`);
    await shot(page, 'large-wire');
    // Kept while the tab is open.
    await page.reload({ waitUntil: 'load' });
    await page.locator(tid('ladder')).waitFor();
    assert.equal(await page.locator(tid('ladder-large')).getAttribute('aria-pressed'), 'true');
    await page.click(tid('ladder-large'));
    await page.locator(`${tid('ladder-large')}[aria-pressed="false"]`).waitFor();
  });
});
