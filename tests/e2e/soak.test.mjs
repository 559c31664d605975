// Soak: the page plays the stress scene (bench/stress.scn, played and timed as the bench
// does it, see stress-scene.mjs) for SOCKSCOPE_SOAK_S seconds of wall time, 60 unless set
// (`cargo xtask test --long` sets 600). After a warm-up, the JS heap (after a forced
// garbage collection) and the wasm module's linear memory must end within GROWTH x their
// start + a slack, and frame p95 of the last window within FRAME_GROWTH x the first's;
// no console error (withPage). Chromium only: the heap is read and collected over the
// DevTools protocol, which the Firefox backend (WebDriver BiDi) does not have.
//
// The bounds: a leak of a few KB per frame (hundreds of frames a second) grows the heap
// by far more than the slack within a minute; honest jitter (allocator pages, caches
// filling once) stays inside it. Wasm memory only grows (pages are never given back),
// so its end is its peak.

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
const GROWTH = 1.5;
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
      let left = SOAK_S - WARMUP_S - 2 * WINDOW_S;
      while (left > 0) {
        const nap = Math.min(left, SAMPLE_EVERY_S);
        await sleep(nap);
        left -= nap;
        const now = await sizes(page, cdp);
        console.log(`soak: t+${SOAK_S - WINDOW_S - left} s: heap ${mib(now.heap)}, wasm ${mib(now.wasm)}, virtual ${now.clock} s`);
      }
      const last = windowFigures(await recordFrames(page, WINDOW_S * 1000));
      const end = await sizes(page, cdp);

      console.log(`soak: ${SOAK_S} s wall, ${(end.clock - start.clock).toFixed(1)} virtual s played after the warm-up`);
      console.log(`soak: JS heap ${mib(start.heap)} -> ${mib(end.heap)}; wasm memory ${mib(start.wasm)} -> ${mib(end.wasm)}`);
      console.log(`soak: frame p95 ${first.p95.toFixed(2)} ms (${first.frames} frames) -> ${last.p95.toFixed(2)} ms (${last.frames} frames)`);
      assert.ok(first.virtualS > 0 && last.virtualS > 0, `the scene played in both windows (${first.virtualS}, ${last.virtualS} virtual s)`);
      assert.ok(end.heap <= start.heap * GROWTH + HEAP_SLACK, `JS heap ${mib(start.heap)} -> ${mib(end.heap)}: more than x${GROWTH} + ${mib(HEAP_SLACK)}`);
      assert.ok(end.wasm <= start.wasm * GROWTH + WASM_SLACK, `wasm memory ${mib(start.wasm)} -> ${mib(end.wasm)}: more than x${GROWTH} + ${mib(WASM_SLACK)}`);
      assert.ok(last.p95 <= first.p95 * FRAME_GROWTH, `frame p95 ${first.p95.toFixed(2)} -> ${last.p95.toFixed(2)} ms: more than x${FRAME_GROWTH}`);
    },
    { chromiumArgs: UNCAPPED_FRAMES },
  );
});
