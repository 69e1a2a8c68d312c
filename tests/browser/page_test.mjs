// page_test.mjs - the browser page of `cpindex serve --http` in a real browser (issue 18):
// Debian's chromium, headless, driven over the DevTools protocol on a pipe (--remote-debugging-pipe),
// so the test needs Node and chromium only, nothing from npm. run.sh makes the store and starts
// the server; this script logs in, looks an address up, reads the warnings, is refused without a
// reason, checks an officer sees nothing restricted, and saves a screenshot of each step.
//
// usage: node page_test.mjs BASE_URL SCREENSHOT_DIR
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error('usage: node page_test.mjs BASE_URL SCREENSHOT_DIR');
  process.exit(2);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const profile = mkdtempSync(join(tmpdir(), 'cpindex-chromium-'));
// fd 3: what chromium reads (our commands), fd 4: what it writes (replies and events), NUL-separated JSON
const browser = spawn(chromium, ['--headless=new', '--remote-debugging-pipe', '--no-sandbox', '--disable-gpu',
  '--no-first-run', '--disable-extensions', `--user-data-dir=${profile}`, '--window-size=1200,1400', 'about:blank'],
  { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let browserErr = '';
browser.stderr.on('data', (d) => { browserErr += d; });
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];

let nextId = 1, pending = new Map(), waiters = [], buf = '';
fromBrowser.on('data', (chunk) => {
  buf += chunk.toString('utf8');
  let i;
  while ((i = buf.indexOf('\0')) >= 0) {
    const msg = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
    } else if (msg.method) {
      waiters = waiters.filter((w) => !(w.method === msg.method && (w.resolve(msg.params), true)));
    }
  }
});

function send(method, params = {}, sessionId) {
  const id = nextId++;
  toBrowser.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
function event(method, ms = 15000) {
  return new Promise((resolve, reject) => {
    const w = { method, resolve };
    waiters.push(w);
    setTimeout(() => reject(new Error(`no ${method} within ${ms} ms`)), ms);
  });
}

let failures = 0, step = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}`);
  if (!ok) failures++;
}

let session;
const page = (method, params) => send(method, params, session);
// Run an expression in the page (DevTools evaluation, which the page's CSP does not govern: the page has no script).
async function js(expr) {
  const r = await page('Runtime.evaluate', { expression: expr, returnByValue: true });
  if (r.exceptionDetails) throw new Error(`page script failed: ${expr}: ${r.exceptionDetails.text}`);
  return r.result.value;
}
async function go(url) {
  const loaded = event('Page.loadEventFired');
  await page('Page.navigate', { url });
  await loaded;
}
// Click what a user clicks and wait for the page the form leads to.
async function clickAndWait(selector) {
  const loaded = event('Page.loadEventFired');
  await js(`document.querySelector(${JSON.stringify(selector)}).click()`);
  await loaded;
}
async function fill(selector, value) {
  await js(`(() => { const e = document.querySelector(${JSON.stringify(selector)}); e.value = ${JSON.stringify(value)}; })()`);
}
async function shot(name) {
  const r = await page('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
  const file = join(shots, `${String(++step).padStart(2, '0')}-${name}.png`);
  writeFileSync(file, Buffer.from(r.data, 'base64'));
  console.log(`# screenshot ${file}`);
}
// A screenshot of one element (the chart), so it can be read at full size.
async function shotOf(selector, name) {
  const box = await js(`(() => { const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
    return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; })()`);
  const r = await page('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { ...box, scale: 1 } });
  const file = join(shots, `${String(++step).padStart(2, '0')}-${name}.png`);
  writeFileSync(file, Buffer.from(r.data, 'base64'));
  console.log(`# screenshot ${file}`);
}
const text = () => js('document.body.innerText');

async function login(user, password) {
  await go(`${base}/`);
  check((await js('location.pathname')) === '/login', `${user}: an unknown visitor is sent to the login page`);
  await fill('#user', user);
  await fill('#password', password);
  await clickAndWait('#login');
  check((await js('location.pathname')) === '/', `${user}: logged in`);
}
async function lookup(kind, q, incident, reason) {
  await js(`document.querySelector('#kind').value = ${JSON.stringify(kind)}`);
  await fill('#q', q);
  await fill('#incident', incident);
  await fill('#reason', reason);
  await clickAndWait('#go');
}

const timer = setTimeout(() => { console.error('browser test: timed out'); browser.kill('SIGKILL'); process.exit(1); }, 120000);
try {
  const { targetInfos } = await send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'page');
  ({ sessionId: session } = await send('Target.attachToTarget', { targetId: target.targetId, flatten: true }));
  await page('Page.enable');
  await page('Runtime.enable');

  // an officer: the warnings, the restricted notice, and nothing of MARAC's content
  await login('pc1', process.env.OFFICER_PASSWORD);
  await shot('officer-lookup-form');
  await lookup('address', '91 Edward Street, Cwmbran', 'INC-20240605-0142', 'attending a domestic call');
  let t = await text();
  check(await js(`!!document.querySelector('section.warn')`), 'officer: the answer opens with a WARNINGS section');
  check(t.includes('A child at risk lives here'), 'officer: sees the warning that a child at risk lives there');
  check(/restricted|RESTRICTED/.test(t) && t.includes('MARAC coordinator'), 'officer: told restricted information is held and whom to ask');
  check(!t.includes("MARAC victim's address") && !t.includes('DASH') && !t.includes('MRC-') &&
        !t.includes('domestic abuse perpetrator'), 'officer: sees nothing of the restricted MARAC case');
  check(!/WARNINGS - none/.test(t), 'officer: never told "WARNINGS - none"');
  await shot('officer-address-warnings');

  await lookup('address', '91 Edward Street, Cwmbran', 'INC-20240605-0142', '');
  t = await text();
  check(t.includes('Refused: a reason is required') && !(await js(`!!document.querySelector('#answer')`)),
        'no reason: refused with a clear message, and no answer shown');
  await shot('refused-without-reason');
  await clickAndWait('#logout');
  check((await js('location.pathname')) === '/login', 'logged out');

  // an analyst with the MARAC role: the same address in full, and a child's link chart
  await login('analyst1', process.env.ANALYST_PASSWORD);
  await lookup('address', '91 Edward Street, Cwmbran', 'INC-20240605-0142', 'reviewing the MARAC household');
  t = await text();
  check(t.includes("MARAC victim's address"), 'analyst with the marac role: sees the MARAC warning');
  await shot('analyst-address-warnings');
  await lookup('child', 'P-0000008', 'INC-20240605-0143', 'missing child, planning the search');
  check(await js(`!!document.querySelector('#chart svg g.subject')`), 'child: the link chart is drawn with the child highlighted');
  const nodes = await js(`document.querySelectorAll('#chart svg g.node').length`);
  check(nodes > 0 && nodes <= 14, `child: the chart is bounded (${nodes} nodes around the child)`);
  check(await js(`[...document.querySelectorAll('#chart svg circle, #chart svg rect')].some(e => e.getAttribute('fill') === '#b00020')`),
        'child: risky people or places are drawn in red');
  await shot('child-profile');
  await shotOf('#chart', 'child-link-chart');
} catch (e) {
  console.error(`browser test: ${e.stack || e}`);
  failures++;
}
clearTimeout(timer);
const exited = new Promise((r) => browser.on('exit', r));
browser.kill('SIGTERM');
await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]); // its profile is in use until it exits
try { rmSync(profile, { recursive: true, force: true }); } catch { /* a temporary directory left behind */ }
if (failures) console.error(browserErr.split('\n').slice(-15).join('\n'));
console.log(failures ? `browser test: ${failures} failed` : 'browser test: all passed');
process.exit(failures ? 1 : 0);
