// Mounts a sockscope instance into this course page. `init` loads the WebAssembly;
// `mount(element, options)` takes the same options as the page's address.
import init, { mount } from './sockscope-app.js';

await init();
mount(document.getElementById('deadlock-demo'), 'tour=deadlock&controls=minimal');
