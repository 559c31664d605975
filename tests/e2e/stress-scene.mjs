// The stress scene in the page, and the frames it costs: one definition shared by
// `cargo xtask bench` (bench/measure.mjs) and the soak test (soak.test.mjs), so both
// play the same scene at the same speed and time frames the same way.

import { readFileSync } from 'node:fs';
import path from 'node:path';

/** bench/stress.scn: 64 socket structures, about 200 segments on the wire. */
export const STRESS_SCN = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'bench', 'stress.scn');

/** The playback speed the scene is played at (4x: the wire stays busy every frame). */
export const STRESS_SPEED = 4;

/** "Interactive": the main view's netstat panel is there and a call can be made. */
export const APP_READY = ['[data-testid="netstat"]', '[data-testid="call-go-0"]:not([disabled])'];

/** Chromium flags that let frames run as fast as they can be made: the app ticks from
 * requestAnimationFrame, so every frame does a frame's work and none waits for vsync,
 * and a rAF-to-rAF time is what that frame cost, not the refresh interval. */
export const UNCAPPED_FRAMES = ['--disable-frame-rate-limit', '--disable-gpu-vsync'];

/** The app at `base` (dist/'s URL, ending in /) playing the stress scene on load. */
export function stressUrl(base) {
  const scenario = readFileSync(STRESS_SCN, 'utf8');
  return `${base}index.html?autoplay=1&speed=${STRESS_SPEED}#scenario=${encodeURIComponent(scenario)}`;
}

/** The q-quantile of `xs`, interpolated between neighbours. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) throw new Error('no samples');
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
}

/** The app's clock in virtual seconds (`t = 12.345 s`, or `t = 2 min 3.4 s` from a
 * minute on, as units::clock_time writes it); NaN if it is not there. */
export async function clockSeconds(page) {
  const text = await page.evaluate(() => document.querySelector('[data-testid="clock"]')?.textContent ?? '');
  const m = /t = (?:(\d+) min )?([\d.]+) s/.exec(text);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
}

/**
 * For `ms` of wall time, every rAF-to-rAF delta in the page (ms), and every 500 ms the
 * segments the ladder draws in flight; with the structures on screen and the app's
 * clock (virtual seconds) before and after.
 */
export async function recordFrames(page, ms) {
  const clockStart = await clockSeconds(page);
  const out = await page.evaluate(async (ms) => {
    const inFlight = () => document.querySelectorAll('[data-testid^="seg-"].in-flight').length;
    const out = {
      deltas: [],
      drawn: [],
      structures: document.querySelectorAll('[data-testid^="sock-"]').length,
    };
    await new Promise((resolve) => {
      let last;
      let nextSample = 0;
      const t0 = performance.now();
      const frame = (t) => {
        if (last !== undefined) out.deltas.push(t - last);
        last = t;
        if (t >= nextSample) {
          out.drawn.push(inFlight());
          nextSample = t + 500;
        }
        if (t - t0 < ms) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    return out;
  }, ms);
  return { ...out, clockStart, clockEnd: await clockSeconds(page) };
}
