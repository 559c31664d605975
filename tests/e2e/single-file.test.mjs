// The offline file: `cargo xtask dist --single-file` writes one HTML file that runs
// from disk (file://, no server). Opened from a file: URL it starts, takes a call
// and shows the result, with no console error, no request beyond itself, and its
// strict Content-Security-Policy in force (inline code allowed only by hash).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { shotPath, withPage } from './browser.mjs';

const tid = (id) => `[data-testid="${id}"]`;

/** The file `cargo xtask test` writes beside dist/ (dist-single/sockscope.html). */
function singleFileUrl() {
  const file = process.env.SOCKSCOPE_SINGLE_FILE ?? path.resolve('dist-single', 'sockscope.html');
  assert.ok(existsSync(file), `${file} is missing; run \`cargo xtask dist --single-file\``);
  return pathToFileURL(file).href;
}

test('the single file runs from disk: a call and its result, no errors', { timeout: 90_000 }, async () => {
  const url = singleFileUrl();
  await withPage(
    'single-file',
    async (page) => {
      await page.goto(url, { waitUntil: 'load' });
      await page.locator(tid('console-input')).waitFor({ timeout: 30_000 });
      await page.fill(tid('console-input'), 'client: c = socket(TCP)');
      await page.press(tid('console-input'), 'Enter');
      // The engine's answer, echoed in the console's log (the server's own socket is 3 too,
      // so only the client's line shows that this call ran).
      await page.locator(`${tid('console-log')}:has-text("client: c = socket(TCP) = 3")`).waitFor();
      // The file carries its own policy; a violation of it (the app's own inline
      // script or style refused) would be a console error, which fails the test.
      const policy = await page.evaluate(
        () => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '',
        null,
      );
      assert.match(policy, /default-src 'none'/);
      // boot.js, the tours' texts, the tools module and the app's module, each by its hash.
      assert.match(policy, /script-src 'sha256-[^']+' 'sha256-[^']+' 'sha256-[^']+' 'sha256-[^']+' 'wasm-unsafe-eval';/);
      assert.doesNotMatch(policy, /'self'|'unsafe-inline' 'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
      await page.screenshot({ path: shotPath('single-file.png') });
      // The tools module is inside the file too: the captures panel opens with its tools,
      // and so do the program and throughput panels (the loader hands out all its exports).
      const panel = page.locator(tid('capture-view'));
      await panel.locator('summary').click();
      await panel.locator(tid('capture-drop')).waitFor({ timeout: 30_000 });
      const program = page.locator(tid('program-view'));
      await program.locator('summary').click();
      assert.match(await program.locator(tid('program-lines')).innerText({ timeout: 30_000 }), /listen\(/);
      const throughput = page.locator(tid('throughput-view'));
      await throughput.locator('summary').click();
      await throughput.locator(tid('throughput-run')).waitFor({ timeout: 30_000 });
      // The tours' texts are inside it as well (a served page fetches them): a tour
      // picked from the list opens with its first narration.
      await page.selectOption(tid('tour-picker'), 'udp');
      await page.locator(`${tid('tour-step')}:has-text("step 0 of")`).waitFor({ timeout: 10_000 });
      assert.match(await page.locator(tid('tour')).innerText(), /UDP/);
    },
    { home: url },
  );
});
