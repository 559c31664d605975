// Questions in a tour: the learner predicts before the moment runs, a bad answer is
// refused without counting, wrong and right are said in words, the first answer is
// the one the score keeps (also across a reload), and the course page hears it all.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appUrl, axeViolations, shotPath, withPage } from './browser.mjs';

const T = { timeout: 120_000 };
const tid = (id) => `[data-testid="${id}"]`;

/** Presses Next until the tour stands before a question (or gives up). */
async function nextQuestion(scope, limit = 80) {
  const question = scope.locator(tid('question'));
  for (let i = 0; i < limit; i++) {
    if (await question.count()) return question;
    const next = scope.locator(tid('tour-next'));
    assert.equal(await next.isDisabled(), false, 'the tour ended without a question');
    await next.click();
  }
  assert.fail(`no question within ${limit} steps`);
}

/** An answer of the question's own form that no moment of a tour can produce. */
async function surelyWrong(question) {
  const radios = question.locator('input[type="radio"]');
  if (await radios.count()) return null;
  return '987654';
}

async function answer(question, text) {
  if (text === null) {
    await question.locator('input[type="radio"]').first().check();
  } else {
    await question.locator(tid('answer-input')).fill(text);
  }
  await question.locator(tid('answer-check')).click();
}

function scoreOf(text) {
  const m = text.match(/Score: (\d+) of (\d+) questions right at the first try \((\d+) answered\)/);
  assert.ok(m, `no score in “${text}”`);
  return { right: Number(m[1]), questions: Number(m[2]), answered: Number(m[3]) };
}

test('a question waits for the answer, refuses nonsense, and keeps the first answer', T, async () => {
  await withPage('questions', async (page) => {
    await page.goto(`${appUrl()}?tour=byte-stream`);
    const tour = page.locator(tid('tour'));
    await tour.waitFor();
    const question = await nextQuestion(tour);
    assert.equal(await tour.locator(tid('tour-next')).isDisabled(), true, 'Next waits for the answer');
    assert.equal(await tour.locator(tid('feedback')).count(), 0, 'no answer is shown before the learner answers');
    const prompt = await question.locator('.question-prompt').innerText();
    assert.ok(prompt.trim().length > 10, `a question is asked: “${prompt}”`);
    const before = scoreOf(await tour.locator(tid('score')).innerText());
    assert.equal(before.answered, 0);
    assert.ok(before.questions >= 2, 'the tour asks several questions');
    await page.screenshot({ path: shotPath('question-asked.png') });
    assert.deepEqual(await axeViolations(page), []);

    const wrong = await surelyWrong(question);
    if (wrong !== null) {
      // Not an answer at all: said beside the field, nothing counted, nothing moved.
      await answer(question, 'lots of bytes');
      await tour.locator(tid('answer-error')).waitFor();
      assert.match(await tour.locator(tid('answer-error')).innerText(), /not an answer here/);
      assert.equal(scoreOf(await tour.locator(tid('score')).innerText()).answered, 0);
      assert.equal(await tour.locator(tid('feedback')).count(), 0);
    }

    // A wrong answer: said in words with a mark, with the engine's answer.
    await answer(question, wrong);
    const feedback = tour.locator(tid('feedback'));
    await feedback.waitFor();
    const said = await feedback.innerText();
    const engine = said.match(/the engine's answer is (.+?)\./)?.[1] ?? said.match(/The engine agrees: (.+?)\./)?.[1];
    assert.ok(engine, `the engine's answer is given: “${said}”`);
    const firstWasRight = /Right\./.test(said);
    if (wrong !== null) assert.match(said, /✘\s*Not quite\./);
    await page.screenshot({ path: shotPath('question-answered.png') });
    let score = scoreOf(await tour.locator(tid('score')).innerText());
    assert.deepEqual(score, { ...before, answered: 1, right: firstWasRight ? 1 : 0 });
    assert.equal(await tour.locator(tid('question')).count(), 0, 'the question is answered');
    assert.equal(await tour.locator(tid('tour-next')).isDisabled(), false);

    // Back past the question: it is asked again; a right answer now does not count.
    await tour.locator(tid('tour-prev')).click();
    const again = tour.locator(tid('question'));
    await again.waitFor();
    assert.equal(await tour.locator(tid('feedback')).count(), 0);
    if (await again.locator('input[type="radio"]').count()) {
      await again.locator(`input[type="radio"][value="${engine}"]`).check();
      await again.locator(tid('answer-check')).click();
    } else {
      await answer(again, engine.split(' or ')[0]);
    }
    await feedback.waitFor();
    assert.match(await feedback.innerText(), /✔\s*Right\./);
    assert.match(await feedback.innerText(), /first answer to this question is the one the score keeps/);
    score = scoreOf(await tour.locator(tid('score')).innerText());
    assert.equal(score.answered, 1);
    assert.equal(score.right, firstWasRight ? 1 : 0);

    // The score is kept across a reload of the tour, and can be reset.
    await page.reload();
    await tour.waitFor();
    assert.equal(scoreOf(await tour.locator(tid('score')).innerText()).answered, 1);
    await tour.locator(tid('score-reset')).click();
    assert.equal(scoreOf(await tour.locator(tid('score')).innerText()).answered, 0);
    await page.reload();
    await tour.waitFor();
    assert.equal(scoreOf(await tour.locator(tid('score')).innerText()).answered, 0);
  });
});

test('a question can be answered with the keyboard alone', T, async () => {
  await withPage('questions-keyboard', async (page) => {
    await page.goto(`${appUrl()}?tour=byte-stream`);
    const tour = page.locator(tid('tour'));
    await tour.waitFor();
    const question = await nextQuestion(tour);
    const radios = question.locator('input[type="radio"]');
    if (await radios.count()) {
      await radios.first().focus();
      await page.keyboard.press('Space');
    } else {
      await question.locator(tid('answer-input')).focus();
      await page.keyboard.type('987654');
    }
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'answer-check');
    await page.keyboard.press('Enter');
    await tour.locator(tid('feedback')).waitFor();
    assert.equal(await tour.locator(tid('feedback')).getAttribute('role'), 'status', 'announced to screen readers');
  });
});

test('the course page records what both embedded instances report', T, async () => {
  await withPage('embed-results', async (page) => {
    await page.goto(new URL('embed-example.html', appUrl()).href);
    const results = page.locator(tid('results'));
    const mounted = page.locator(`${tid('mounted')} ${tid('tour')}`);
    await mounted.waitFor();
    await results.locator('li[data-from="mounted"][data-type="ready"]').waitFor();
    await results.locator('li[data-frame="closing-frame"][data-type="ready"]').waitFor();
    // `ready` comes once the tour each link names is open, and says which it is.
    for (const [from, tour] of [['[data-from="mounted"]', 'deadlock'], ['[data-frame="closing-frame"]', 'closing']]) {
      const ready = await results.locator(`li${from}[data-type="ready"]`).getAttribute('data-event');
      assert.equal(JSON.parse(ready).tour, tour, ready);
    }

    const question = await nextQuestion(mounted);
    const wrong = await surelyWrong(question);
    await answer(question, wrong);
    await mounted.locator(tid('feedback')).waitFor();
    const item = results.locator('li[data-from="mounted"][data-type="question-answered"]');
    await item.waitFor();
    const event = JSON.parse(await item.getAttribute('data-event'));
    assert.equal(event.source, 'sockscope');
    assert.equal(event.tour, 'deadlock');
    assert.match(event.question, /^[a-z0-9_]+$/);
    assert.equal(typeof event.correct, 'boolean');
    assert.equal(event.first, true);
    assert.ok(event.expected.length > 0);
    if (wrong !== null) {
      assert.equal(event.answer, wrong);
      assert.equal(event.correct, false);
    }
    // The iframe's instance reports through postMessage.
    const framed = page.frameLocator('#closing-frame').locator(tid('tour'));
    const fq = await nextQuestion(framed);
    await fq.locator(tid('answer-show')).click();
    const shown = results.locator('li[data-frame="closing-frame"][data-type="question-answered"]');
    await shown.waitFor();
    const e2 = JSON.parse(await shown.getAttribute('data-event'));
    assert.equal(e2.tour, 'closing');
    assert.equal(e2.answer, null, '“Show me” gives no answer');
    assert.equal(e2.correct, false);
    await page.screenshot({ path: shotPath('embed-results.png'), fullPage: true });
  });
});

test('the course page hears an iframe that opens before the page’s own script arrives', T, async () => {
  await withPage('embed-late-script', async (page) => {
    // The course page's script comes 3 s late; an iframe opens its tour in about one.
    await page.route('**/embed-example.js', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await route.continue();
    });
    await page.goto(new URL('embed-example.html', appUrl()).href);
    const ready = page.locator(`${tid('results')} li[data-frame="closing-frame"][data-type="ready"]`);
    await ready.waitFor({ timeout: 20_000 });
    assert.equal(JSON.parse(await ready.getAttribute('data-event')).tour, 'closing');
  });
});

test('an exercise: hints one at a time, and the goal reached with the learner’s own calls', T, async () => {
  await withPage('exercise', async (page) => {
    await page.goto(`${appUrl()}?tour=exercise-client-time-wait`);
    const tour = page.locator(tid('tour'));
    await tour.waitFor();
    const goal = tour.locator(tid('goal'));
    for (let i = 0; i < 10 && !(await goal.count()); i++) await tour.locator(tid('tour-next')).click();
    await goal.waitFor();
    assert.match(await goal.locator(tid('goal-status')).innerText(), /Not yet\. 0 calls so far/);

    // Hints come one at a time.
    assert.equal(await goal.locator(tid('goal-hints')).count(), 0);
    await goal.locator(tid('goal-hint')).click();
    assert.equal(await goal.locator(`${tid('goal-hints')} li`).count(), 1);
    await goal.locator(tid('goal-hint')).click();
    assert.equal(await goal.locator(`${tid('goal-hints')} li`).count(), 2);

    // The wrong side closing first does not reach it; the status counts the calls.
    const line = async (text) => {
      await page.fill(tid('console-input'), text);
      await page.press(tid('console-input'), 'Enter');
    };
    await line('server: close(s)');
    await line('net: run');
    await page.waitForTimeout(200);
    assert.match(await goal.locator(tid('goal-status')).innerText(), /Not yet\. 1 call so far/);
    await page.screenshot({ path: shotPath('exercise-open.png') });

    // Start over and do it the right way round.
    await page.goto(`${appUrl()}?tour=exercise-client-time-wait`);
    await tour.waitFor();
    for (let i = 0; i < 10 && !(await goal.count()); i++) await tour.locator(tid('tour-next')).click();
    await line('client: close(c)');
    await line('net: run');
    await line('server: close(s)');
    await line('net: run 1s');
    await goal.locator(`${tid('goal-status')}:has-text("Goal reached")`).waitFor();
    assert.match(await goal.locator(tid('goal-status')).innerText(), /✔\s*Goal reached with 2 calls\./);
    assert.match(await page.locator(tid('netstat-client')).innerText(), /TIME_WAIT/);
    await tour.screenshot({ path: shotPath('exercise-reached.png') });
  });
});

test('the course page hears of a goal reached in an embedded exercise, with its calls', T, async () => {
  await withPage('embed-goal', async (page) => {
    await page.goto(new URL('embed-example.html', appUrl()).href);
    const results = page.locator(tid('results'));
    const frame = page.frameLocator('#exercise-frame');
    const tour = frame.locator(tid('tour'));
    await page.locator('#exercise-frame').scrollIntoViewIfNeeded();
    await tour.waitFor();
    await results.locator('li[data-frame="exercise-frame"][data-type="ready"]').waitFor();
    const goal = tour.locator(tid('goal'));
    for (let i = 0; i < 10 && !(await goal.count()); i++) await tour.locator(tid('tour-next')).click();
    await goal.waitFor();
    const line = async (text) => {
      await frame.locator(tid('console-input')).fill(text);
      await frame.locator(tid('console-input')).press('Enter');
    };
    // A wrong first call counts too: the page hears the calls it really took.
    await line('client: send(c, 10)');
    await line('client: close(c)');
    await line('net: run');
    assert.equal(await results.locator('li[data-type="goal-reached"]').count(), 0, 'not reached yet');
    await line('server: close(s)');
    await line('net: run 1s');
    const item = results.locator('li[data-frame="exercise-frame"][data-type="goal-reached"]');
    await item.waitFor();
    const event = JSON.parse(await item.getAttribute('data-event'));
    assert.equal(event.source, 'sockscope');
    assert.equal(event.tour, 'exercise-client-time-wait');
    assert.equal(event.calls, 3);
    assert.equal(event.first, true);
    assert.match(await item.innerText(), /goal reached with 3 calls \(first time\)/);
    const finished = results.locator('li[data-frame="exercise-frame"][data-type="finished"]');
    await finished.waitFor();
    assert.equal(JSON.parse(await finished.getAttribute('data-event')).tour, 'exercise-client-time-wait');
    await item.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('embed-goal.png') });
  });
});

test('the echo exercise: its smallest deadlocking message comes from the engine', T, async () => {
  await withPage('echo-limit', async (page) => {
    await page.goto(`${appUrl()}?tour=exercise-echo-deadlock`);
    const tour = page.locator(tid('tour'));
    await tour.waitFor();
    const question = await nextQuestion(tour, 20);
    assert.match(await question.innerText(), /smallest message/);
    await answer(question, '2500');
    const feedback = tour.locator(tid('feedback'));
    await feedback.waitFor();
    const said = await feedback.innerText();
    assert.match(said, /Not quite/);
    assert.match(said, /2501/);
    assert.match(said, /exactly 2500 bytes/, 'the hint for 2500 is shown');
    await tour.screenshot({ path: shotPath('echo-limit.png') });
  });
});

test('numbers per learner: the same seed gives the same exercise, another seed other numbers', T, async () => {
  await withPage('exercise-seeds', async (page) => {
    const tour = page.locator(tid('tour'));
    const goalText = async (seed) => {
      await page.goto(`${appUrl()}?tour=exercise-big-send&seed=${seed}`);
      await tour.waitFor();
      const goal = tour.locator(tid('goal'));
      for (let i = 0; i < 10 && !(await goal.count()); i++) await tour.locator(tid('tour-next')).click();
      return goal.locator('.question-prompt').innerText();
    };
    const first = await goalText(3);
    assert.match(first, /send\(c, \d+\) returns \d+/);
    assert.equal(await goalText(3), first, 'the same link gives the same numbers');
    const seen = new Set([first]);
    for (const seed of [4, 5, 6, 7, 8]) seen.add(await goalText(seed));
    assert.ok(seen.size >= 2, `every seed gave “${first}”`);
    // The narration speaks of the same numbers the goal checks.
    const size = first.match(/returns (\d+)/)[1];
    assert.match(await tour.locator(tid('tour-text')).innerText(), new RegExp(`send\\(\\) with ${size} bytes`));
    // The link of this moment keeps the seed (the scenario panel is folded away in an
    // exercise, as in any tour, until the learner shows all panels).
    await page.click(tid('unfold'));
    await page.click(tid('copy-link'));
    assert.match(await page.locator(tid('copied')).inputValue(), /[?&]seed=8(&|$)/);
  });
});
