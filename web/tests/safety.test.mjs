// User content is text, never markup; the node serves the client with its security and
// caching headers; errors are said in words.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import {
  PASSWORD, createChannel, newPage, screenshot, sendMessage, signUp, startNodeAndBrowser,
  stopNodeAndBrowser, waitFor,
} from './support.mjs';

let node;
let browser;

// A login throttle that locks a username after 3 failures for 4 s, so that the rate-limit
// test sees a real 429 from the node and can wait it out.
const THROTTLE = [
  'login_throttle:', '  account:', '    free_failures: 3', '    lock_after: 3', '  lock: 4s',
];

before(async () => ({ node, browser } = await startNodeAndBrowser(THROTTLE)));
after(() => stopNodeAndBrowser(node, browser));

const PAYLOADS = [
  '<img src=x onerror=alert(1)>',
  '<script>alert(2)</script>',
  '"><svg onload=alert(3)>',
  '<a href="javascript:alert(4)">click</a>',
  '<style>body{display:none}</style>',
];

test('XSS payloads in messages, channel names and topics render as literal text', async () => {
  const page = await newPage(browser);
  const peer = await newPage(browser);
  try {
    await signUp(page, node, 'victim');
    await signUp(peer, node, 'sender');
    const name = '<img src=x onerror=alert(9)>';
    await page.getByLabel('Topic (optional)').fill('<b onmouseover=alert(8)>topic</b>');
    await createChannel(page, name);
    await peer.reload();
    await peer.getByRole('button', { name: 'Join ' + name }).click();
    for (const p of PAYLOADS) {
      await sendMessage(peer, p);
    }
    await page.locator('.messages .text', { hasText: PAYLOADS.at(-1) }).waitFor();
    const texts = await page.locator('.messages .text').allTextContents();
    assert.deepEqual(texts, PAYLOADS);
    assert.equal(await page.locator('#channel-title').textContent(), '# ' + name);
    assert.equal(await page.locator('.topic').textContent(), '<b onmouseover=alert(8)>topic</b>');
    // Nothing was parsed as markup: no element from the payloads exists in the page.
    assert.equal(await page.locator('main img, main script, main svg, main a, main b').count(), 0);
    await page.locator('.messages .text').first().hover();
    assert.deepEqual(page.problems, []);
    assert.deepEqual(peer.problems, []);
  } finally {
    await screenshot(page, 'safety-xss');
    await page.context().close();
    await peer.context().close();
  }
});

test('the client is served with CSP, nosniff, caching headers, ETag and HEAD', async () => {
  const index = await fetch(node.base + '/');
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(index.headers.get('content-security-policy'), /script-src 'self';/);
  assert.doesNotMatch(index.headers.get('content-security-policy'), /unsafe/);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
  const html = await index.text();
  assert.doesNotMatch(html, /<script>|style=/, 'no inline script or style in index.html');
  const js = html.match(/src="(\/assets\/app-[A-Z0-9]+\.js)"/)[1];
  const css = html.match(/href="(\/assets\/style-[A-Z0-9]+\.css)"/)[1];

  const asset = await fetch(node.base + js);
  assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const etag = asset.headers.get('etag');
  const body = await asset.arrayBuffer();
  assert.ok(body.byteLength > 1000);
  assert.equal((await fetch(node.base + css)).headers.get('content-type'), 'text/css; charset=utf-8');

  const again = await fetch(node.base + js, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
  const head = await fetch(node.base + js, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), body.byteLength);

  const missing = await fetch(node.base + '/assets/app-NOPE.js');
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'not_found');
  const unknown = await fetch(node.base + '/no/such/page');
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json()).error.code, 'not_found');
});

test('a message over the limit is refused before sending, with a counter', async () => {
  const page = await newPage(browser);
  try {
    await signUp(page, node, 'talker');
    await createChannel(page, 'limits');
    const box = page.locator('#composer');
    await box.fill('x'.repeat(4000));
    assert.equal(await page.locator('#composer-counter').textContent(), '4000 / 4000');
    assert.equal(await page.getByRole('button', { name: 'Send' }).isEnabled(), true);
    await box.press('End');
    await box.pressSequentially('yz');
    assert.equal(await page.locator('#composer-counter').textContent(), '4002 / 4000');
    assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), true);
    await page.getByRole('alert').filter({ hasText: '2 characters over the limit' }).waitFor();
    await box.press('Enter');
    assert.equal(await page.locator('.msg').count(), 0, 'nothing was sent');
    // Emoji count as one character each, as the node counts them.
    await box.fill('😀'.repeat(4000));
    assert.equal(await page.locator('#composer-counter').textContent(), '4000 / 4000');
    await box.press('Enter');
    await page.locator('.messages li.msg[data-seq="1"]').waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'safety-too-long');
    await page.context().close();
  }
});

test('rate limiting is said with the wait from Retry-After', async () => {
  const page = await newPage(browser);
  try {
    const u = await node.user('hurried');
    for (let i = 0; i < 3; i++) {
      const r = await node.api('POST', '/auth/login', { username: u.username, password: 'not it!!' });
      assert.equal(r.status, 401, JSON.stringify(r.body));
    }
    await page.goto(node.base + '/');
    await page.getByLabel('Username').fill(u.username);
    await page.getByLabel('Password').fill(PASSWORD);
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    const res = await answer;
    assert.equal(res.status(), 429);
    const wait = Number(res.headers()['retry-after']);
    assert.ok(wait >= 1 && wait <= 4, `Retry-After ${wait}`);
    const unit = wait === 1 ? 'second' : 'seconds';
    await page.getByRole('alert').filter({ hasText: `Please wait ${wait} ${unit}` }).waitFor();
    // Once the lock is over, the right password gets in.
    await new Promise((r) => setTimeout(r, wait * 1000 + 300));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'safety-rate-limited');
    await page.context().close();
  }
});

/** The TOTP code of a base32 secret at Unix time `at`, made by Debian's oathtool. */
function totp(secret, at) {
  return execFileSync('oathtool', ['--totp', '-b', secret, '--now', `@${Math.floor(at)}`])
    .toString().trim();
}

test('an account with TOTP is asked for its code, and the code signs in', async () => {
  const page = await newPage(browser);
  try {
    const u = await node.user('secure');
    const enrol = await node.api('POST', '/auth/mfa/totp/enroll', undefined, u.token);
    assert.equal(enrol.status, 200, JSON.stringify(enrol.body));
    // Confirm with the previous step's code, early enough in a step that the current code
    // (for the login below) is still current, and not the one already used, when it is sent.
    await waitFor(async () => (Date.now() / 1000) % 30 < 15, 'a fresh TOTP step');
    const confirm = await node.api('POST', '/auth/mfa/totp/confirm',
      { code: totp(enrol.body.secret, Date.now() / 1000 - 30) }, u.token);
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    await page.goto(node.base + '/');
    await page.getByLabel('Username').fill(u.username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    await waitFor(async () => code.evaluate((el) => el === document.activeElement), 'focus');
    const now = totp(enrol.body.secret, Date.now() / 1000);
    await code.fill(`${now.slice(0, 3)} ${now.slice(3)}`);
    await code.press('Enter');
    await page.getByText('Signed in as').waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'safety-totp');
    await page.context().close();
  }
});
