// Mounts a sockscope instance into this course page and records what every instance
// reports. `init` loads the WebAssembly; `mount(element, options, onEvent)` takes the
// same options as the page's address, and calls onEvent with each event.
import init, { mount } from './sockscope-app.js';

const results = document.getElementById('results');

/** One line per event: where it came from and what it says. */
function record(from, event, frame) {
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

// The iframe's messages; only sockscope's, and only from this page's own origin.
window.addEventListener('message', (e) => {
  if (e.origin !== window.location.origin || e.data?.source !== 'sockscope') return;
  // Which of the page's iframes sent it.
  const frame = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
  record('iframe', e.data, frame?.id);
});

await init();
mount(document.getElementById('deadlock-demo'), 'tour=deadlock&controls=minimal', (event) =>
  record('mounted', event),
);
