// Browser figures for `cargo xtask bench`, measured in headless Debian Chromium
// (playwright-core from the npm cache that xtask prepares; nothing is downloaded).
// Prints one `name value unit` line per figure on stdout, progress on stderr.
//
//   load_ms, floor_load_ms   cold load to the first interactive moment, median of N
//                            runs, each in a new browser with a new profile (no cache)
//   frame_p50_ms/p95_ms      rAF-to-rAF frame times while the stress scene plays (played
//                            and timed by tests/e2e/stress-scene.mjs, as the soak test does), in a
//                            browser whose frame rate is not capped at the display's
//                            60 Hz (--disable-frame-rate-limit): each frame starts as
//                            soon as the previous one is done, so its rAF-to-rAF time
//                            is what the frame cost, not the refresh interval
//   frame_work_p50_ms/p95_ms what each frame of that scene cost, from Chromium's trace
//   frame_page_repaints      how often per frame the page's own layer was painted again
//   stress_*                 what that scene really had on screen and on the wire
//   wasm_sweep_ms            bench_sweep() of the shipped tools module, median of 3 calls
//   slow_load_ms,            the same cold load over an emulated slow phone link
//   floor_slow_load_ms       (Chromium's network emulation: 1.6 Mbit/s down, 750 kbit/s
//                            up, 150 ms round trip), median of SLOW_RUNS runs; the
//                            servers send the .gz beside each file, as a production
//                            server with precompressed files would
//
// Environment (set by xtask/src/bench.rs):
//   SOCKSCOPE_NODE_MODULES   the npm cache's node_modules (playwright-core)
//   SOCKSCOPE_CHROMIUM       the browser (default /usr/bin/chromium)
//   SOCKSCOPE_URL            dist/ of the app, served over loopback
//   SOCKSCOPE_FLOOR_URL      the floor app's dist/ (optional: floor figures skipped)
//   SOCKSCOPE_STRESS_TRACE   `sockscope run --json` of bench/stress.scn played on
//                            (optional: gives stress_in_flight from the engine itself)
//   SOCKSCOPE_BENCH_RUNS     cold loads per app (default 10)
//   SOCKSCOPE_BENCH_FRAME_S  seconds of frames (default 10)
//   SOCKSCOPE_BENCH_SLOW_RUNS cold loads per app over the slow link (default 3)

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CHROMIUM_ARGS } from '../tests/e2e/chromium-args.mjs';
import { APP_READY, quantile, recordFrames, stressUrl, UNCAPPED_FRAMES } from '../tests/e2e/stress-scene.mjs';

const require = createRequire(import.meta.url);
const modules = process.env.SOCKSCOPE_NODE_MODULES;
const { chromium } = require(modules ? path.join(modules, 'playwright-core') : 'playwright-core');

const RUNS = Number(process.env.SOCKSCOPE_BENCH_RUNS ?? 10);
const FRAME_S = Number(process.env.SOCKSCOPE_BENCH_FRAME_S ?? 10);
const SLOW_RUNS = Number(process.env.SOCKSCOPE_BENCH_SLOW_RUNS ?? 3);
/** A slow phone link, as Chromium's DevTools emulate it (bytes per second, ms). */
const SLOW_LINK = {
  offline: false,
  downloadThroughput: 1.6e6 / 8,
  uploadThroughput: 750e3 / 8,
  latency: 150,
};
const URL_APP = process.env.SOCKSCOPE_URL;
const URL_FLOOR = process.env.SOCKSCOPE_FLOOR_URL;
if (!URL_APP) throw new Error('SOCKSCOPE_URL is not set; run this via `cargo xtask bench`');


// "Interactive": for the app, see APP_READY; for the floor, its one button is there
// and enabled.
const READY = {
  app: APP_READY,
  floor: ['[data-testid="increment"]:not([disabled])'],
};

const say = (text) => process.stderr.write(`bench: ${text}\n`);
const figure = (name, value, unit) => console.log(`${name} ${Number(value.toFixed(3))} ${unit}`);
const median = (xs) => quantile(xs, 0.5);

/** A new browser with a new, empty profile (nothing cached), closed after
 * `body(page, browser)`; fails if the page reported an error. */
async function withBrowser(body, extraArgs = []) {
  const browser = await chromium.launch({
    executablePath: process.env.SOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const result = await body(page, browser);
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    return result;
  } finally {
    await browser.close();
  }
}

/** Before any page script runs: note performance.now() (ms since navigation start) at
 * the first DOM change after which every selector of `ready` matches. */
function watchReady(page, ready) {
  return page.addInitScript((selectors) => {
    const done = () => selectors.every((s) => document.querySelector(s));
    const observer = new MutationObserver(() => {
      if (done()) {
        globalThis.__benchReady = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  }, ready);
}

async function loadOnce(page, url, ready) {
  await watchReady(page, ready);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => globalThis.__benchReady !== undefined, null, { timeout: 60_000 });
  return page.evaluate(() => globalThis.__benchReady);
}

/** Cold loads, alternating between the apps so that drift on the machine hits both. */
async function loads() {
  const apps = [['load_ms', URL_APP, READY.app]];
  if (URL_FLOOR) apps.push(['floor_load_ms', URL_FLOOR, READY.floor]);
  const times = new Map(apps.map(([name]) => [name, []]));
  for (let run = 1; run <= RUNS; run++) {
    for (const [name, url, ready] of apps) {
      const ms = await withBrowser((page) => loadOnce(page, url, ready));
      times.get(name).push(ms);
      say(`${name} run ${run}/${RUNS}: ${ms.toFixed(1)} ms`);
    }
  }
  for (const [name, ms] of times) figure(name, median(ms), 'ms');
}

/** Cold loads over the slow link, alternating between the apps as `loads` does. */
async function slowLoads() {
  const apps = [['slow_load_ms', URL_APP, READY.app]];
  if (URL_FLOOR) apps.push(['floor_slow_load_ms', URL_FLOOR, READY.floor]);
  const times = new Map(apps.map(([name]) => [name, []]));
  for (let run = 1; run <= SLOW_RUNS; run++) {
    for (const [name, url, ready] of apps) {
      const ms = await withBrowser(async (page) => {
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', SLOW_LINK);
        return loadOnce(page, url, ready);
      });
      times.get(name).push(ms);
      say(`${name} run ${run}/${SLOW_RUNS}: ${ms.toFixed(1)} ms`);
    }
  }
  for (const [name, ms] of times) figure(name, median(ms), 'ms');
}

/**
 * bench_sweep() from the tools module (the throughput panel's, which holds the
 * engine's experiment; the page's own module does not), loaded beside the page as
 * the page loads it when the panel is first opened.
 */
async function wasmSweep() {
  const runs = await withBrowser(async (page) => {
    await loadOnce(page, URL_APP, READY.app);
    return page.evaluate(async () => {
      const m = await import(new URL('./sockscope-tools.js', location.href).href);
      // Initialises it once (a second call gives back the same instance).
      await m.default();
      const out = [];
      for (let i = 0; i < 3; i++) out.push(m.bench_sweep());
      return out;
    });
  });
  say(`wasm_sweep_ms runs: ${runs.map((x) => x.toFixed(1)).join(', ')}`);
  if (runs.some((x) => !(x >= 0))) throw new Error(`bench_sweep() failed: ${runs}`);
  figure('wasm_sweep_ms', median(runs), 'ms');
}

/** Engine truth for the stress scene: segments on the wire at virtual time t (µs). */
function inFlightFromTrace(file) {
  const spans = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { time, event } = JSON.parse(line);
    if (event.SegmentSent) {
      const { seg, sent_at: sent, arrives_at: arrives } = event.SegmentSent;
      spans.set(seg.id, [sent, arrives]);
    } else if (event.SegmentDropped && spans.has(event.SegmentDropped.seg)) {
      spans.get(event.SegmentDropped.seg)[1] = time;
    }
  }
  const end = [...spans.values()].reduce((latest, [sent]) => Math.max(latest, sent), 0);
  const at = (t) => [...spans.values()].filter(([s, a]) => s <= t && t < a).length;
  return { at, end };
}

/** Durations (ms) of the trace's AnimationFrame and AnimationFrame::Render spans. */
function frameWork(buffer) {
  const spans = { AnimationFrame: [], 'AnimationFrame::Render': [] };
  const open = new Map();
  for (const e of JSON.parse(buffer).traceEvents) {
    if (!(e.name in spans)) continue;
    const key = `${e.name} ${e.pid} ${e.id2?.local ?? e.id2?.global ?? e.id}`;
    if (e.ph === 'b') open.set(key, e.ts);
    else if (e.ph === 'e' && open.has(key)) {
      spans[e.name].push((e.ts - open.get(key)) / 1000);
      open.delete(key);
    }
  }
  if (spans.AnimationFrame.length === 0) throw new Error('the trace has no AnimationFrame events');
  return { work: spans.AnimationFrame, render: spans['AnimationFrame::Render'] };
}

/** How often, per frame over `ms`, Chromium painted the page's own layer again (the
 * largest one: the document with its host columns, thousands of elements) while the
 * scene plays. What changes every frame (the wire, the clock) has layers of its own,
 * so this stays well below 1; near 1, every frame paints the whole page again. */
async function pageRepaints(page, ms) {
  const cdp = await page.context().newCDPSession(page);
  let layers = [];
  cdp.on('LayerTree.layerTreeDidChange', (e) => { if (e.layers) layers = e.layers; });
  await cdp.send('LayerTree.enable');
  const largest = () => {
    const drawn = layers.filter((l) => l.drawsContent);
    if (drawn.length === 0) throw new Error('Chromium reported no layers');
    return drawn.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  };
  await page.waitForTimeout(200);
  const before = largest();
  const frames = await page.evaluate((ms) => new Promise((resolve) => {
    let n = 0;
    const t0 = performance.now();
    const tick = (t) => { n += 1; if (t - t0 < ms) requestAnimationFrame(tick); else resolve(n); };
    requestAnimationFrame(tick);
  }), ms);
  const after = layers.find((l) => l.layerId === before.layerId);
  if (!after) throw new Error("the page's layer went away while it was watched");
  await cdp.send('LayerTree.disable');
  await cdp.detach();
  return { pageRepaints: after.paintCount - before.paintCount, repaintFrames: frames };
}

/** Plays bench/stress.scn at STRESS_SPEED and records every rAF timestamp for FRAME_S seconds. */
async function frames() {
  const url = stressUrl(URL_APP);
  const r = await withBrowser(async (page, browser) => {
    await loadOnce(page, url, READY.app);
    const seen = await recordFrames(page, FRAME_S * 1000);
    const repaints = await pageRepaints(page, 2000);
    // Then, without the rAF loop, what each frame cost: Chromium's trace records an
    // AnimationFrame from the first task that led to a frame (here, the app's tick)
    // to the end of its rendering, and the rendering part (style, layout, paint) in it.
    await browser.startTracing(page, { categories: ['devtools.timeline'] });
    await page.waitForTimeout((FRAME_S * 1000) / 2);
    return { ...seen, ...repaints, ...frameWork(await browser.stopTracing()) };
  }, UNCAPPED_FRAMES);
  say(`${r.deltas.length} frames in ${FRAME_S} s; virtual time ${r.clockStart} s -> ${r.clockEnd} s`);
  if (!(r.clockEnd > r.clockStart)) throw new Error('the stress scene did not play (virtual time stood still)');
  figure('frame_p50_ms', quantile(r.deltas, 0.5), 'ms');
  figure('frame_p95_ms', quantile(r.deltas, 0.95), 'ms');
  figure('frame_max_ms', Math.max(...r.deltas), 'ms');
  figure('frame_count', r.deltas.length, 'frames');
  figure('frame_work_p50_ms', quantile(r.work, 0.5), 'ms');
  figure('frame_work_p95_ms', quantile(r.work, 0.95), 'ms');
  figure('frame_render_p50_ms', quantile(r.render, 0.5), 'ms');
  figure('frame_render_p95_ms', quantile(r.render, 0.95), 'ms');
  figure('frame_work_count', r.work.length, 'frames');
  figure('frame_page_repaints', r.pageRepaints / r.repaintFrames, 'repaints/frame');
  figure('stress_structures', r.structures, 'structures');
  // The ladder draws only the newest 80 segments, so this count stops at 80.
  figure('stress_in_flight_drawn', median(r.drawn), 'segments');
  figure('stress_virtual_s', r.clockEnd - r.clockStart, 's');
  const trace = process.env.SOCKSCOPE_STRESS_TRACE;
  if (trace) {
    const { at, end } = inFlightFromTrace(trace);
    const [from, to] = [r.clockStart * 1e6, r.clockEnd * 1e6];
    if (to > end) throw new Error(`the stress trace ends at ${end / 1e6} s, before the page's ${r.clockEnd} s`);
    const samples = [];
    for (let t = from; t <= to; t += (to - from) / 50) samples.push(at(t));
    figure('stress_in_flight', median(samples), 'segments');
    say(`segments on the wire during the run (engine): ${Math.min(...samples)} to ${Math.max(...samples)}`);
  }
}

await loads();
await slowLoads();
await wasmSweep();
await frames();
