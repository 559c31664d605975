// Guided tours as a learner follows them: a step goes to the next narration, a copied
// link reopens exactly the same step, the panel never gives away a coming result, and
// hosts appear only once the tour uses them.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { appUrl, axeViolations, shotPath, withPage } from './browser.mjs';

const T = { timeout: 120_000 };
const tid = (id) => `[data-testid="${id}"]`;

/** "step 8 of 19" → [8, 19] */
async function counter(page) {
  const text = await page.locator(tid('tour-step')).innerText();
  const m = text.match(/^step (\d+) of (\d+)$/);
  assert.ok(m, `no step counter in “${text}”`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Presses "Next step" and waits until the counter has moved on by one. Where the tour
 * stands before a question (Next waits for it), "Show me" is the step instead; says
 * whether it was.
 */
async function next(page) {
  const [n] = await counter(page);
  const asked = (await page.locator(tid('question')).count()) > 0;
  await page.click(tid(asked ? 'answer-show' : 'tour-next'));
  await page.locator(tid('tour-step')).filter({ hasText: new RegExp(`^step ${n + 1} of`) }).waitFor();
  return asked;
}

async function narration(page) {
  return (await page.locator(tid('tour-text')).innerText()).trim();
}

/** Shows the panels a tour folds away (the scenario panel, the console), if folded. */
async function unfold(page) {
  const button = page.locator(tid('unfold'));
  if ((await button.getAttribute('aria-expanded')) === 'false') await button.click();
  await page.locator(`${tid('unfold')}[aria-expanded="true"]`).waitFor();
}

/** Copies the link of this moment and returns it (from the field that shows it). */
async function copiedLink(page) {
  await unfold(page);
  await page.click(tid('copy-link'));
  const field = page.locator(tid('copied'));
  await field.waitFor();
  return field.inputValue();
}

async function openTour(page, query) {
  await page.goto(`${appUrl()}?${query}`);
  await page.locator(tid('tour-step')).waitFor();
}

test('a copied link reopens the same step with the same narration, in both modes', T, async () => {
  await withPage('tour-link-round-trip', async (page) => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await openTour(page, 'tour=byte-stream');
    assert.deepEqual((await counter(page))[0], 0, 'a tour opens before its first step');
    for (let i = 0; i < 4; i++) await next(page);
    const [step] = await counter(page);
    assert.equal(step, 4);
    const said = await narration(page);
    const link = await copiedLink(page);
    assert.match(link, /\?tour=byte-stream&step=4$/);

    // One statement at a time: the counter counts statements, and the link says so.
    await page.check(tid('tour-single'));
    const [before] = await counter(page);
    await next(page);
    await next(page);
    const single = await copiedLink(page);
    assert.match(single, new RegExp(`\\?tour=byte-stream&step=${before + 2}&single=1$`));
    const singleSaid = await narration(page);

    for (const [url, want, text] of [[link, 4, said], [single, before + 2, singleSaid]]) {
      const fresh = await page.context().newPage();
      await fresh.goto(url);
      await fresh.locator(tid('tour-step')).waitFor();
      assert.equal((await counter(fresh))[0], want, url);
      assert.equal(await narration(fresh), text, url);
      assert.equal(await fresh.locator(tid('notice')).count(), 0, 'a good link gives no notice');
      await fresh.close();
    }
  });
});

test('bad step values give a notice and a usable tour', T, async () => {
  await withPage('tour-bad-steps', async (page) => {
    for (const [value, notice] of [['-1', /not a step number/], ['abc', /not a step number/], ['9999', /no step 9999/]]) {
      await openTour(page, `tour=deadlock&step=${value}`);
      assert.match(await page.locator(tid('notice')).innerText(), notice, value);
      const [n, total] = await counter(page);
      assert.equal(n, value === '9999' ? total : 0, value);
      assert.notEqual(await narration(page), '', `${value}: the panel is not blank`);
    }
  });
});

/** `expect … == V` lines of a tour whose value must not show before they run. */
function expectations(name) {
  const text = readFileSync(new URL(`../../crates/scenario/tours/${name}.scn`, import.meta.url), 'utf8');
  return [...new Set(text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('expect ') && l.includes(' == ')))];
}

test('a step runs to the next narration and the panel never shows a coming result', T, async () => {
  await withPage('tour-no-spoilers', async (page) => {
    const expects = expectations('byte-stream');
    assert.ok(expects.length > 5, 'the tour has expectations to hide');
    await openTour(page, 'tour=byte-stream');
    await unfold(page);
    await page.locator(tid('console-log')).waitFor();
    const [, total] = await counter(page);
    let previous = await narration(page);
    for (let k = 1; k <= total; k++) {
      const answered = await next(page);
      const said = await narration(page);
      // Answering a question runs its moment under the narration that asked it.
      if (!answered) assert.notEqual(said, previous, `step ${k} brings new narration`);
      previous = said;
      const panel = await page.locator(tid('tour')).innerText();
      assert.ok(!panel.includes('=='), `step ${k}: the tour panel shows an expected value:\n${panel}`);
      // An expectation that has not run is nowhere on the page (the console log only
      // holds what has run, with its verdict). Both texts are read at one instant: read
      // one after the other, a line the log gains in between would be in the page's
      // text but not in the log's.
      const { log, body } = await page.evaluate((sel) => ({
        log: document.querySelector(sel)?.innerText ?? '',
        body: document.body.innerText,
      }), tid('console-log'));
      for (const e of expects) {
        const shown = e.replace(/^expect /, '');
        if (!log.includes(shown)) assert.ok(!body.includes(shown), `step ${k}: “${shown}” is visible before it runs`);
      }
      if (k === 2) await page.screenshot({ path: shotPath('tour-panel-1366.png') });
    }
    assert.match(await page.locator(tid('tour-next')).innerText(), /over/);
  });
});

test('a tour draws a host only once it is used', T, async () => {
  await withPage('tour-hidden-hosts', async (page) => {
    await openTour(page, 'tour=deadlock');
    for (const h of ['A', 'B', 'C', 'E']) assert.equal(await page.locator(tid(`host-${h}`)).count(), 0, `${h} is not drawn yet`);
    await next(page);
    assert.equal(await page.locator(tid('host-B')).count(), 1, 'B made calls');
    assert.equal(await page.locator(tid('host-C')).count(), 0, 'C has done nothing yet');
    assert.equal(await page.locator(tid('host-E')).count(), 0, 'E has done nothing yet');
    const [, total] = await counter(page);
    while ((await counter(page))[0] < total && (await page.locator(tid('host-E')).count()) === 0) await next(page);
    assert.equal(await page.locator(tid('host-E')).count(), 1, 'E appears once the tour uses it');
    // Outside a tour every host is drawn again.
    await page.click(tid('tour-leave'));
    for (const h of ['A', 'B', 'C', 'E']) await page.locator(tid(`host-${h}`)).waitFor();
  });
});

test('the tour panel fits a 360 px screen and has no serious accessibility problem', T, async () => {
  await withPage('tour-narrow', async (page) => {
    await page.setViewportSize({ width: 360, height: 800 });
    await openTour(page, 'tour=byte-stream&step=2');
    const overflow = await page.evaluate(() => {
      const panel = document.querySelector('[data-testid="tour"]');
      return { page: document.documentElement.scrollWidth - document.documentElement.clientWidth, panel: panel.scrollWidth - panel.clientWidth };
    });
    assert.deepEqual(overflow, { page: 0, panel: 0 }, 'nothing sticks out sideways');
    await page.locator(tid('tour')).screenshot({ path: shotPath('tour-panel-360.png') });
    // The switch and the buttons are reachable from the keyboard.
    await page.focus(tid('tour-single'));
    await page.keyboard.press('Space');
    assert.ok(await page.isChecked(tid('tour-single')));
    // axe on the tour panel (axeViolations loads axe into the page first).
    await axeViolations(page);
    const scoped = await page.evaluate(() => globalThis.axe.run('[data-testid="tour"]'));
    const bad = scoped.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  });
});

/** A built-in tour with at least two `section` lines, and their titles. */
function tourWithParts() {
  const dir = new URL('../../crates/scenario/tours/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.scn')).sort()) {
    const titles = readFileSync(new URL(file, dir), 'utf8').split('\n')
      .filter((l) => l.startsWith('section ')).map((l) => l.slice('section '.length).trim());
    if (titles.length >= 2) return { name: file.replace(/\.scn$/, ''), titles };
  }
  return null;
}

// The app's own tests (crates/app/tests) check the parts with a scenario of their
// own; this one runs once the built-in tours have section lines.
test('the parts of a tour: listed, the current one marked, reached from the keyboard', T, async (t) => {
  const tour = tourWithParts();
  if (!tour) return t.skip('no built-in tour has section lines yet');
  await withPage('tour-parts', async (page) => {
    await openTour(page, `tour=${tour.name}`);
    const parts = page.locator(`${tid('tour-parts')} button`);
    assert.deepEqual((await parts.allInnerTexts()).map((p) => p.trim()), tour.titles);
    assert.equal(await page.locator(`${tid('tour-parts')} [aria-current]`).count(), 0);
    await parts.nth(1).focus();
    await page.keyboard.press('Enter');
    const current = page.locator(`${tid('tour-parts')} [aria-current="step"]`);
    await current.filter({ hasText: tour.titles[1] }).waitFor();
    const [step] = await counter(page);
    assert.ok(step > 1, 'the second part is some steps in');
    // A jump is a replay of steps: its link reopens the same step.
    const said = await narration(page);
    await page.goto(await copiedLink(page));
    await page.locator(tid('tour-step')).waitFor();
    assert.equal((await counter(page))[0], step);
    assert.equal(await narration(page), said);
    await current.filter({ hasText: tour.titles[1] }).waitFor();
  });
});

test('a tour folds away the panels it does not use; one button shows them; out of the tour all are back', T, async () => {
  await withPage('tour-folded', async (page) => {
    await openTour(page, 'tour=byte-stream&step=3');
    const folded = ['console-input', 'call-go-0', 'copy-link', 'capture-view', 'throughput'];
    const present = async () => {
      const out = [];
      for (const id of folded) if (await page.locator(tid(id)).count()) out.push(id);
      return out;
    };
    await page.locator(tid('unfold')).waitFor();
    assert.deepEqual(await present(), [], 'panels the byte-stream tour does not use are shown');
    // What the tour talks about stays: the byte streams and the program.
    assert.equal(await page.locator(tid('program-view')).count(), 1);
    await page.locator(tid('unfold')).focus();
    await page.keyboard.press('Enter');
    await page.locator(`${tid('unfold')}[aria-expanded="true"]`).waitFor();
    await page.locator(tid('console-input')).waitFor();
    assert.deepEqual(await present(), ['console-input', 'call-go-0', 'copy-link', 'capture-view', 'throughput']);
    await page.click(tid('unfold'));
    await page.locator(tid('console-input')).waitFor({ state: 'detached' });
    // Leaving the tour: the page as it is without one (and no fold button).
    await page.click(tid('tour-leave'));
    await page.locator(tid('console-input')).waitFor();
    assert.equal(await page.locator(tid('unfold')).count(), 0);
    assert.deepEqual(await present(), ['console-input', 'call-go-0', 'copy-link', 'capture-view', 'throughput']);
  });
});
