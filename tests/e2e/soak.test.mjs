// Soak: the page plays the stress scene (bench/stress.scn, played and timed as the bench
// does it, see stress-scene.mjs) for SOCKSCOPE_SOAK_S seconds of wall time, 60 unless set
// (`cargo xtask test --long` sets 600). After a warm-up, the JS heap (after a forced
// garbage collection) and the wasm module's linear memory must stop growing: over the
// second half of the run each may grow by at most a slack. Frame p95 of the last window
// must be within FRAME_GROWTH x the first's, and no console error may appear
// (withPage). Chromium only: the heap is read and collected over the DevTools
// protocol, which the Firefox backend (WebDriver BiDi) does not have.
//
// Why the second half and not start to end: the page's bounded stores fill during the
// first minutes and then stay full (the latest 10,000 trace events, up to 20,000 inputs
// of history and the replay checkpoint taken halfway through them; about 200 frames a
// second each add an input), so in a 600 s run the wasm memory rises from about 7 to
// 25 MiB by 260 s and is flat after it. A leak does not stop: a few KB per frame, or
// the unbounded trace this test once found (about 0.1 MiB per wall second here), grows
// far beyond the slack in 300 s. Wasm memory only grows (pages are never given back),
// so each figure is its peak so far.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, withPage } from './browser.mjs';
import { APP_READY, clockSeconds, quantile, recordFrames, stressUrl, UNCAPPED_FRAMES } from './stress-scene.mjs';

const MIB = 1024 * 1024;
/** Played before anything is measured: the scene's connections open, caches fill. */
const WARMUP_S = 10;
/** Frames are timed in the first and the last this-many seconds after the warm-up. */
const WINDOW_S = 10;
/** How often the figures are printed while the scene plays. */
const SAMPLE_EVERY_S = 60;
const HEAP_SLACK = 4 * MIB;
const WASM_SLACK = 8 * MIB;
const FRAME_GROWTH = 1.2;

/** SOCKSCOPE_SOAK_S (default 60); anything else than a whole number of seconds long
 * enough for the warm-up and both windows is refused. */
function soakSeconds() {
  const raw = process.env.SOCKSCOPE_SOAK_S ?? '60';
  const s = Number(raw);
  const least = WARMUP_S + 2 * WINDOW_S;
  assert.ok(Number.isInteger(s) && s >= least, `SOCKSCOPE_SOAK_S=${raw}: expected whole seconds, at least ${least}`);
  return s;
}

const SOAK_S = soakSeconds();
const mib = (bytes) => `${(bytes / MIB).toFixed(1)} MiB`;
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));

/** Before the app loads: keep the wasm module's exports (trunk's loader announces them
 * in TrunkApplicationStarted's `detail.wasm`), whose `memory` is its linear memory. */
function keepWasmExports(page) {
  return page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => {
      globalThis.__soakWasm = e.detail.wasm;
    });
  });
}

/** The JS heap in use after a full garbage collection, the wasm memory and the clock. */
async function sizes(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const wasm = await page.evaluate(() => globalThis.__soakWasm?.memory?.buffer?.byteLength);
  assert.ok(wasm > 0, 'the wasm memory is readable (TrunkApplicationStarted gave the exports)');
  return { heap: usedSize, wasm, clock: await clockSeconds(page) };
}

/** frames, p95 (ms) and virtual seconds of one window of frames. */
function windowFigures(r) {
  return { frames: r.deltas.length, p95: quantile(r.deltas, 0.95), virtualS: r.clockEnd - r.clockStart };
}

test(`soak: ${SOAK_S} s of the stress scene keep the heap, the wasm memory and frame p95 bounded`, { timeout: (SOAK_S + 120) * 1000 }, async () => {
  await withPage(
    'soak',
    async (page) => {
      await keepWasmExports(page);
      await page.goto(stressUrl(appUrl()));
      for (const selector of APP_READY) await page.locator(selector).first().waitFor({ timeout: 60_000 });
      const cdp = await page.context().newCDPSession(page);
      await sleep(WARMUP_S);

      const start = await sizes(page, cdp);
      const first = windowFigures(await recordFrames(page, WINDOW_S * 1000));
      const played = SOAK_S - WARMUP_S - 2 * WINDOW_S;
      let elapsed = WARMUP_S + WINDOW_S;
      /** Plays `s` seconds more, printing the figures every SAMPLE_EVERY_S. */
      const play = async (s) => {
        for (let left = s; left > 0; ) {
          const nap = Math.min(left, SAMPLE_EVERY_S);
          await sleep(nap);
          left -= nap;
          elapsed += nap;
          const now = await sizes(page, cdp);
          console.log(`soak: t+${elapsed} s: heap ${mib(now.heap)}, wasm ${mib(now.wasm)}, virtual ${now.clock} s`);
        }
      };
      // The second half begins at half the run's wall time.
      const toMiddle = Math.max(0, Math.round(SOAK_S / 2) - elapsed);
      await play(toMiddle);
      const middle = await sizes(page, cdp);
      await play(played - toMiddle);
      const last = windowFigures(await recordFrames(page, WINDOW_S * 1000));
      const end = await sizes(page, cdp);

      console.log(`soak: ${SOAK_S} s wall, ${(end.clock - start.clock).toFixed(1)} virtual s played after the warm-up`);
      console.log(`soak: JS heap ${mib(start.heap)} -> ${mib(middle.heap)} (half way) -> ${mib(end.heap)}`);
      console.log(`soak: wasm memory ${mib(start.wasm)} -> ${mib(middle.wasm)} (half way) -> ${mib(end.wasm)}`);
      console.log(`soak: frame p95 ${first.p95.toFixed(2)} ms (${first.frames} frames) -> ${last.p95.toFixed(2)} ms (${last.frames} frames)`);
      assert.ok(first.virtualS > 0 && last.virtualS > 0, `the scene played in both windows (${first.virtualS}, ${last.virtualS} virtual s)`);
      assert.ok(end.heap <= middle.heap + HEAP_SLACK, `JS heap ${mib(middle.heap)} half way -> ${mib(end.heap)}: grew more than ${mib(HEAP_SLACK)} in the second half`);
      assert.ok(end.wasm <= middle.wasm + WASM_SLACK, `wasm memory ${mib(middle.wasm)} half way -> ${mib(end.wasm)}: grew more than ${mib(WASM_SLACK)} in the second half`);
      assert.ok(last.p95 <= first.p95 * FRAME_GROWTH, `frame p95 ${first.p95.toFixed(2)} -> ${last.p95.toFixed(2)} ms: more than x${FRAME_GROWTH}`);
    },
    { chromiumArgs: UNCAPPED_FRAMES },
  );
});
