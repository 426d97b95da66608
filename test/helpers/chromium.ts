/**
 * Debian's Chromium for the browser checks (testing.md): never a downloaded browser. The background-networking
 * switches matter here: without them Chromium keeps dialling Google's hosts, which this network refuses.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
