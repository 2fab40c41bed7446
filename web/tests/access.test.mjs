// Keyboard alone, screen-reader names, and a narrow phone screen.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import {
  PASSWORD, newPage, screenshot, sendMessage, signUp, startNodeAndBrowser, stopNodeAndBrowser,
  uname,
} from './support.mjs';

let node;
let browser;

before(async () => ({ node, browser } = await startNodeAndBrowser()));
after(() => stopNodeAndBrowser(node, browser));

/** Presses Tab (or `key`) until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page, selector, key = 'Tab', max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) {
      return;
    }
    await page.keyboard.press(key);
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Controls without a name a screen reader could announce. */
function unnamedControls(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, textarea, select, button')) {
      if (el.closest('[hidden]')) {
        continue;
      }
      const named = el.getAttribute('aria-label') ||
        (el.labels && el.labels.length > 0 && el.labels[0].textContent.trim()) ||
        (el.tagName === 'BUTTON' && el.textContent.trim());
      if (!named) {
        bad.push(el.outerHTML.slice(0, 80));
      }
    }
    return bad;
  });
}

test('sign up, create a channel and chat with the keyboard alone', async () => {
  const page = await newPage(browser);
  try {
    await page.goto(node.base + '/');
    assert.deepEqual(await unnamedControls(page), []);
    // The username field has focus on arrival.
    await page.keyboard.type(uname('keys'));
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await tabTo(page, 'button.secondary');
    await page.keyboard.press('Enter');
    await page.getByText('Signed in as').waitFor();

    await tabTo(page, '#new-channel-name');
    const name = uname('kb');
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await page.locator('#channel-title', { hasText: name }).waitFor();
    // Opening a channel puts the cursor in its message box.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'composer');
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await page.keyboard.press('Enter');
    await page.locator('.messages li.msg[data-seq="1"]').waitFor();
    assert.equal(await page.locator('.messages .text').textContent(), 'first line\nsecond line');

    assert.deepEqual(await unnamedControls(page), []);
    assert.equal(await page.getByRole('log').getAttribute('aria-label'), 'Messages in ' + name);
    assert.equal(await page.getByLabel('Message #' + name).count(), 1);
    // The channel list is reachable by keyboard too, and marks the open channel.
    await tabTo(page, 'button.channel[aria-current="true"]', 'Shift+Tab');
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'access-keyboard');
    await page.context().close();
  }
});

test('a 360x640 phone screen: no sideways scrolling, every control reachable', async () => {
  const page = await newPage(browser, { viewport: { width: 360, height: 640 }, isMobile: true,
    hasTouch: true });
  const noSideways = () => page.evaluate(() =>
    document.documentElement.scrollWidth <= document.documentElement.clientWidth);
  try {
    await signUp(page, node, 'phone');
    assert.ok(await noSideways(), 'sign-in page fits');
    const menu = page.getByRole('button', { name: 'Channels' });
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    const name = uname('tiny');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.locator('#channel-title', { hasText: name }).waitFor();
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');

    await sendMessage(page, 'w'.repeat(400));
    await sendMessage(page, 'short one');
    await page.locator('.messages li.msg[data-seq="2"]').waitFor();
    assert.ok(await noSideways(), 'chat view fits');
    for (const control of [page.locator('#composer'), page.getByRole('button', { name: 'Send' }),
      menu, page.getByRole('button', { name: 'Log out' })]) {
      const box = await control.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360 && box.y >= 0 &&
        box.y + box.height <= 640, 'on screen: ' + JSON.stringify(box));
    }
    await screenshot(page, 'access-narrow');
    await menu.click();
    await page.getByRole('button', { name: 'Channel ' + name }).click();
    assert.ok(await noSideways(), 'after reopening the channel');
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'access-narrow-last');
    await page.context().close();
  }
});

test('the channel menu stays open while the channel list refreshes', async () => {
  const page = await newPage(browser, { viewport: { width: 360, height: 640 }, isMobile: true,
    hasTouch: true });
  try {
    await page.clock.install();
    await signUp(page, node, 'menu');
    const menu = page.getByRole('button', { name: 'Channels' });
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    // Someone else creates a channel; the next background refresh of the list shows it.
    const other = await node.user('other');
    const name = uname('fresh');
    const made = await node.api('POST', '/channels', { name }, other.token);
    assert.equal(made.status, 201);
    await page.clock.runFor(31000);
    await page.getByRole('button', { name: 'Join ' + name }).waitFor();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true', 'the refresh left it open');
    await page.getByRole('button', { name: 'Join ' + name }).click();
    await page.locator('#channel-title', { hasText: name }).waitFor();
    assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'joining opens the channel');
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'access-menu-refresh');
    await page.context().close();
  }
});
