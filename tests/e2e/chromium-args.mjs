// Flags that let Debian's Chromium run headless as root in a container, with no
// background traffic (which this machine's closed network would refuse, and which
// would pollute the cross-origin checks). Shared by the e2e tests and bench/measure.mjs.
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
