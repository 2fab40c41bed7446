// The node is killed (SIGKILL) and restarted on the same port and data dir while a page is
// open: the page shows it is offline, catches up without loss or duplicates, and sends the
// message typed while offline exactly once.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import {
  activeChannelId, createChannel, newPage, screenshot, sendMessage, shownMessages, signUp,
  startNodeAndBrowser, stopNodeAndBrowser, uname, waitFor,
} from './support.mjs';

let node;
let browser;

before(async () => ({ node, browser } = await startNodeAndBrowser()));
after(() => stopNodeAndBrowser(node, browser));

test('a page open across a node crash and restart loses nothing and doubles nothing',
  async () => {
    const page = await newPage(browser);
    try {
      const other = await node.user('other');
      await signUp(page, node, 'stayer');
      const name = uname('room');
      await createChannel(page, name);
      const channelId = await activeChannelId(page);
      assert.equal((await node.api('POST', `/channels/${channelId}/members`, {}, other.token))
        .status, 204);
      const post = (content) => node.api('POST', `/channels/${channelId}/messages`, { content },
        other.token);
      await sendMessage(page, 'before the crash');
      // Confirmed (it has its seq) before the other user posts, so the order is fixed.
      await page.locator('.messages li.msg[data-seq] .text', { hasText: 'before the crash' })
        .waitFor();
      assert.equal((await post('other before')).status, 201);
      await page.locator('.messages .text', { hasText: 'other before' }).waitFor();

      // Crash, and keep the page off the network while the node comes back, so what the
      // other user sends meanwhile can only reach it through the resubscription.
      await node.kill();
      const banner = page.getByRole('status').filter({ hasText: 'Offline' });
      await banner.waitFor();
      await page.context().setOffline(true);
      await sendMessage(page, 'typed while offline');
      const pending = page.locator('.msg.pending', { hasText: 'typed while offline' });
      await pending.waitFor();
      assert.match(await pending.textContent(), /Sending/);
      await screenshot(page, 'reconnect-offline');

      await node.start();
      for (let i = 1; i <= 5; i++) {
        assert.equal((await post(`missed ${i}`)).status, 201);
      }
      await page.context().setOffline(false);
      await page.locator('.banner').waitFor({ state: 'hidden', timeout: 30000 });

      const expected = ['before the crash', 'other before', 'missed 1', 'missed 2', 'missed 3',
        'missed 4', 'missed 5', 'typed while offline'];
      await waitFor(async () => (await shownMessages(page)).length >= expected.length &&
        (await page.locator('.msg.pending').count()) === 0, 'the page to catch up', 30000);
      // Let any late duplicate arrive before judging (a ping round trip on the same socket).
      await post('after');
      await page.locator('.messages .text', { hasText: /^after$/ }).waitFor();
      const shown = await shownMessages(page);
      assert.deepEqual(shown.map((m) => m.text), [...expected, 'after']);
      assert.deepEqual(shown.map((m) => m.seq), Array.from({ length: 9 }, (_, i) => i + 1));

      const stored = await node.history(channelId, other.token);
      assert.equal(stored.filter((m) => m.content === 'typed while offline').length, 1);
      assert.deepEqual(stored.map((m) => m.content), [...expected, 'after']);
      assert.deepEqual(page.problems, []);
    } finally {
      await screenshot(page, 'reconnect-caught-up');
      await page.context().close();
    }
  });

test('a message still pending survives a reload and is sent once', async () => {
  const page = await newPage(browser);
  try {
    await signUp(page, node, 'reloader');
    const name = uname('room');
    await createChannel(page, name);
    const channelId = await activeChannelId(page);
    const me = await node.user('peer');
    await node.api('POST', `/channels/${channelId}/members`, {}, me.token);

    await page.context().setOffline(true);
    await node.kill();
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await sendMessage(page, 'survives reload');
    await page.locator('.msg.pending', { hasText: 'survives reload' }).waitFor();
    await node.start();
    await page.context().setOffline(false);
    // The reload can race the resend: either way the nonce keeps it to one message.
    await page.reload();
    await page.locator('.messages li.msg[data-seq] .text', { hasText: 'survives reload' })
      .waitFor({ timeout: 30000 });
    assert.equal(await page.locator('.msg.pending').count(), 0);
    const stored = await node.history(channelId, me.token);
    assert.deepEqual(stored.map((m) => m.content), ['survives reload']);
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'reconnect-reload');
    await page.context().close();
  }
});

test('a message that can no longer be sent says why, and can be discarded', async () => {
  const page = await newPage(browser);
  try {
    await signUp(page, node, 'leaver');
    const name = uname('room');
    await createChannel(page, name);
    const token = await page.evaluate(() =>
      JSON.parse(localStorage.getItem('plexichat.session')).token);
    const channelId = await activeChannelId(page);
    const peer = await node.user('keeper');
    await node.api('POST', `/channels/${channelId}/members`, {}, peer.token);

    // Offline, the user types; meanwhile (on another device) they leave the channel.
    await page.context().setOffline(true);
    await node.kill();
    await page.locator('.banner').filter({ hasText: 'Offline' }).waitFor();
    await sendMessage(page, 'too late');
    await node.start();
    assert.equal((await node.api('DELETE', `/channels/${channelId}/members/me`, undefined, token))
      .status, 204);
    await page.context().setOffline(false);

    const failed = page.locator('.msg.failed', { hasText: 'too late' });
    await failed.waitFor({ timeout: 30000 });
    assert.match(await failed.textContent(), /Not sent: You are not a member of this channel\./);
    await page.getByRole('button', { name: 'Join ' + name }).waitFor();
    await screenshot(page, 'reconnect-not-member');
    await failed.getByRole('button', { name: 'Discard' }).click();
    await failed.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => Object.keys(localStorage)
      .filter((k) => k.startsWith('plexichat.pending.')).length), 0);
    assert.deepEqual(await node.history(channelId, peer.token), []);
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'reconnect-not-member-last');
    await page.context().close();
  }
});
