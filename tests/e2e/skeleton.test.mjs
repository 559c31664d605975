// The skeleton: the release build loads from a plain static server and shows
// the netstat view with the listening web server socket.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, shotPath, withPage } from './browser.mjs';

/** Column layout of the netstat view: Rust's
 * `format!("{:<5} {:>6} {:>6} {:<23} {:<23} {}", proto, recv_q, send_q, local, foreign, state)`. */
function netstatLine(proto, recvQ, sendQ, local, foreign, state) {
  return [
    proto.padEnd(5),
    String(recvQ).padStart(6),
    String(sendQ).padStart(6),
    local.padEnd(23),
    foreign.padEnd(23),
    state,
  ].join(' ');
}

const LISTENING_HTTP = 'tcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN';
const NETSTAT = '[data-testid="netstat"]';

/** In-page check: does any netstat pane show `line` (ignoring trailing blanks)? */
function paneShows([selector, line]) {
  return [...document.querySelectorAll(selector)].some((pane) =>
    pane.textContent.split('\n').some((row) => row.trimEnd() === line));
}

test('netstat layout helper matches the documented line', () => {
  assert.equal(netstatLine('tcp', 0, 0, '0.0.0.0:80', '0.0.0.0:*', 'LISTEN'), LISTENING_HTTP);
});

test('skeleton shows the listening socket in netstat', { timeout: 60_000 }, async () => {
  await withPage('skeleton', async (page) => {
    await page.goto(appUrl(), { waitUntil: 'load' });
    // Each host may have its own netstat pane; the listener must be in one of them.
    const netstat = page.locator(NETSTAT);
    await netstat.first().waitFor({ state: 'visible', timeout: 20_000 });
    // The row may land a render after the pane; wait, but let the assert below report.
    await page.waitForFunction(paneShows, [NETSTAT, LISTENING_HTTP], { timeout: 10_000 }).catch(() => {});
    await page.screenshot({ path: shotPath('skeleton.png'), fullPage: true });
    const text = (await netstat.allTextContents()).join('\n');
    const lines = text.split('\n').map((line) => line.trimEnd());
    assert.ok(lines.includes(LISTENING_HTTP), `netstat lacks:\n${LISTENING_HTTP}\ngot:\n${lines.join('\n')}`);
  });
});
