// Records what every sockscope instance on this course page reports, and mounts one
// instance into the page. `init` loads the WebAssembly; `mount(element, options,
// onEvent)` takes the same options as the page's address, and calls onEvent with each
// event.
//
// A plain script in <head>, not a module at the end of the page: it must listen before
// the iframes below exist. Module and deferred scripts run only once the whole page is
// parsed, and an iframe that opens quickly has posted its `ready` by then, unheard.
(function () {
  let results = null;
  const early = [];

  /** One line per event: where it came from and what it says. */
  function record(from, event, frame) {
    if (!results) {
      early.push([from, event, frame]);
      return;
    }
    const li = document.createElement('li');
    li.dataset.from = from;
    if (frame) li.dataset.frame = frame;
    li.dataset.type = event.type;
    li.dataset.event = JSON.stringify(event);
    const parts = [`${frame ? `${from} ${frame}` : from}: ${event.type}`];
    if (event.tour) parts.push(`tour ${event.tour}`);
    if (event.type === 'question-answered') {
      const given = event.answer === null ? 'asked to be shown' : `answered ${event.answer}`;
      parts.push(`question ${event.question}, ${given}, ${event.correct ? 'right' : 'not right'} (engine: ${event.expected})`);
    }
    if (event.type === 'goal-reached') {
      parts.push(`goal reached with ${event.calls} calls${event.first ? ' (first time)' : ''}`);
    }
    if (event.type === 'finished') parts.push(`${event.right} of ${event.questions} right`);
    li.textContent = parts.join(' · ');
    results.append(li);
  }

  // The iframes' messages; only sockscope's, and only from this page's own origin.
  window.addEventListener('message', (e) => {
    if (e.origin !== window.location.origin || e.data?.source !== 'sockscope') return;
    // Which of the page's iframes sent it.
    const frame = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
    record('iframe', e.data, frame?.id);
  });

  document.addEventListener('DOMContentLoaded', async () => {
    results = document.getElementById('results');
    for (const args of early.splice(0)) record(...args);
    const { default: init, mount } = await import('./sockscope-app.js');
    await init();
    mount(document.getElementById('deadlock-demo'), 'tour=deadlock&controls=minimal', (event) =>
      record('mounted', event),
    );
  });
})();
