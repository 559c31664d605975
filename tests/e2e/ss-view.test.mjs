// The tables as ss prints them: the learner's toggle (by keyboard), the table= link
// parameter, a bad value reported and ignored, accessibility, and how it looks.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, axeViolations, shotPath, withPage } from './browser.mjs';

const T = { timeout: 90_000 };
const tid = (id) => `[data-testid="${id}"]`;

// The client closes first, then the server: the client's structure waits in TIME_WAIT.
const SCENARIO = `host client 10.0.0.1
host server 10.0.0.2
server: l = socket(TCP); bind(l, *:80); listen(l, 5)
client: c = socket(TCP); connect(c, 10.0.0.2:80)
server: s = accept(l)
client: close(c)
net: run
server: close(s)
net: run
`;

const SS_HEADER_SERVER = 'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess';
const SS_LISTEN = 'LISTEN 0      5            0.0.0.0:80        0.0.0.0:*';
const NETSTAT_HEADER = 'Proto Recv-Q Send-Q Local Address           Foreign Address         State';

/** The lines of one host's table, trailing blanks dropped. */
async function tableLines(page, host) {
  const text = await page.locator(tid(`netstat-${host}`)).textContent();
  return text.split('\n').map((l) => l.trimEnd());
}

async function open(page, query = '', fragment = '') {
  await page.goto(`${appUrl()}${query}${fragment}`, { waitUntil: 'load' });
  await page.locator(tid('netstat-server')).waitFor({ state: 'visible', timeout: 20_000 });
}

const link = (query) => [query, `#scenario=${encodeURIComponent(SCENARIO)}`];

test('the toggle prints every table as ss and back, from the keyboard', T, async () => {
  await withPage('ss-toggle', async (page) => {
    await open(page);
    assert.equal((await tableLines(page, 'server'))[0], NETSTAT_HEADER);
    await page.focus(tid('table-ss'));
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (sel) => document.querySelector(sel).textContent.startsWith('State'),
      tid('netstat-server'),
    );
    const server = await tableLines(page, 'server');
    assert.deepEqual(server.slice(0, 2), [SS_HEADER_SERVER, SS_LISTEN]);
    assert.equal(await page.locator(tid('table-command-server')).textContent(), '$ ss -tan');
    assert.ok((await tableLines(page, 'client'))[0].startsWith('State '), 'every host switches');
    assert.equal(await page.getAttribute(tid('table-ss'), 'aria-pressed'), 'true');
    // Space works as well as Enter on a button.
    await page.focus(tid('table-netstat'));
    await page.keyboard.press('Space');
    await page.waitForFunction(
      (sel) => document.querySelector(sel).textContent.startsWith('Proto'),
      tid('netstat-server'),
    );
    assert.equal(await page.locator(tid('table-command-server')).textContent(), '$ netstat -tan');
  });
});

test('table=ss in a link spells the states as ss does', T, async () => {
  await withPage('ss-link', async (page) => {
    await open(page, ...link('?table=ss'));
    const client = await tableLines(page, 'client');
    assert.ok(client.some((l) => l.startsWith('TIME-WAIT ')), client.join('\n'));
    assert.ok(client.every((l) => !l.includes('TIME_WAIT')), client.join('\n'));
    // The learner can still switch back: netstat's spelling.
    await page.locator(tid('table-netstat')).click();
    await page.waitForFunction(
      (sel) => document.querySelector(sel).textContent.includes('TIME_WAIT'),
      tid('netstat-client'),
    );
  });
});

test('a bad table= is reported and the tables stay as netstat prints them', T, async () => {
  await withPage('ss-bad-param', async (page) => {
    await open(page, '?table=lsof');
    const notice = await page.locator(tid('notice')).textContent();
    assert.match(notice, /table=“lsof” is not one of netstat, ss/);
    assert.equal((await tableLines(page, 'server'))[0], NETSTAT_HEADER);
  });
});

test('the ss tables and their toggle have no serious axe violations', T, async () => {
  await withPage('ss-a11y', async (page) => {
    await open(page, ...link('?table=ss'));
    await axeViolations(page);
    const scoped = await page.evaluate(() => globalThis.axe.run('[data-testid="netstat"]'));
    const bad = scoped.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
    const group = page.locator('[role="group"][aria-label="Show the tables as"]');
    assert.equal(await group.locator('button').count(), 2);
  });
});

test('screenshots: light, dark, and 360 px wide', T, async () => {
  await withPage('ss-shots', async (page) => {
    for (const theme of ['light', 'dark']) {
      await open(page, ...link(`?table=ss&theme=${theme}`));
      await page.locator(tid('netstat')).screenshot({ path: shotPath(`ss-${theme}.png`) });
    }
    await page.setViewportSize({ width: 360, height: 800 });
    await open(page, ...link('?table=ss'));
    await page.locator(tid('netstat')).screenshot({ path: shotPath('ss-360.png') });
  });
});
