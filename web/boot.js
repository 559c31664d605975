// Runs before the WebAssembly app (as a file, so a strict Content-Security-Policy
// needs no inline script). It only speaks up when the app cannot start.
(function () {
  function say(text) {
    var app = document.getElementById('app');
    if (!app) return;
    app.innerHTML = '';
    var p = document.createElement('p');
    p.className = 'notice';
    p.textContent = text;
    app.appendChild(p);
  }
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function') {
    say('This browser cannot run WebAssembly, which sockscope needs. Any current version of Firefox, Chrome, Edge or Safari can.');
    return;
  }
  // If the app has not replaced the loading indicator after a long while, say so.
  setTimeout(function () {
    if (document.querySelector('#app > .loading')) {
      say('sockscope is taking unusually long to start. Check your connection and reload the page.');
    }
  }, 20000);
})();
