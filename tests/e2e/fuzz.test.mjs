// The page drives itself with 5,000 random actions (valid and invalid) for three
// seeds: no console error, no panic, and it still answers afterwards.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, shotPath, withPage } from './browser.mjs';

const ACTIONS = 5000;

for (const seed of [1, 2, 3]) {
  test(`fuzz: ${ACTIONS} random actions with seed ${seed} leave the page working`, { timeout: 240_000 }, async () => {
    await withPage(`fuzz-${seed}`, async (page) => {
      await page.goto(`${appUrl()}?fuzz=1&seed=${seed}`);
      await page.waitForFunction(
        (n) => Number(document.documentElement.dataset.fuzzDone || 0) >= n,
        ACTIONS,
        { timeout: 200_000, polling: 250 },
      );
      assert.equal(await page.locator('#fatal').isVisible(), false, 'no panic panel');
      // Still responsive: a round trip into the page answers quickly.
      const started = Date.now();
      assert.equal(await page.evaluate(() => 1 + 1), 2);
      assert.ok(Date.now() - started < 5000, 'the page answered within 5 s');
      assert.ok((await page.locator('[data-testid="netstat"]').count()) === 1, 'the view is still there');
      await page.screenshot({ path: shotPath(`fuzz-${seed}.png`) });
    });
  });
}
