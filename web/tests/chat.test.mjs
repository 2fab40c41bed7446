// Two people chatting in two browser contexts against a real node.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import {
  PASSWORD, activeChannelId, createChannel, newPage, screenshot, sendMessage, shownMessages,
  signUp, startNodeAndBrowser, stopNodeAndBrowser, uname, waitFor,
} from './support.mjs';

let node;
let browser;

before(async () => ({ node, browser } = await startNodeAndBrowser()));
after(() => stopNodeAndBrowser(node, browser));

test('two users chat in real time, with unread counts, and the session survives a reload',
  async () => {
    const alice = await newPage(browser);
    const bob = await newPage(browser);
    try {
      await signUp(alice, node, 'alice');
      await signUp(bob, node, 'bob');
      const room = uname('room');
      await createChannel(alice, room);
      const roomId = await activeChannelId(alice);

      await bob.reload();
      await bob.getByRole('button', { name: 'Join ' + room }).click();
      await bob.locator('#channel-title', { hasText: room }).waitFor();

      await sendMessage(alice, 'hello bob');
      await bob.locator('.messages .text', { hasText: 'hello bob' }).waitFor();
      await sendMessage(bob, 'hi alice');
      await sendMessage(bob, 'how are you?');
      await alice.locator('.messages .text', { hasText: 'how are you?' }).waitFor();
      const seen = await shownMessages(alice);
      assert.deepEqual(seen.map((m) => m.text), ['hello bob', 'hi alice', 'how are you?']);
      assert.deepEqual(seen.map((m) => m.seq), [1, 2, 3]);
      // Own message confirmed: no pending one is left.
      assert.equal(await alice.locator('.msg.pending').count(), 0);

      // Unread: alice looks at another channel while bob writes in the room.
      await createChannel(alice, uname('other'));
      await sendMessage(bob, 'one');
      await sendMessage(bob, 'two');
      const roomButton = alice.locator(`button.channel[data-channel="${roomId}"]`);
      await waitFor(async () => (await roomButton.locator('.badge').textContent()) === '2',
        'an unread count of 2');
      assert.match(await roomButton.getAttribute('aria-label'), /2 unread/);
      await roomButton.click();
      await alice.locator('.messages .text', { hasText: 'two' }).waitFor();
      assert.equal(await roomButton.locator('.badge').count(), 0);

      // Reload: still signed in, same channel, same history.
      await alice.reload();
      await alice.locator('.messages .text', { hasText: 'two' }).waitFor();
      assert.equal(await activeChannelId(alice), roomId);
      assert.deepEqual((await shownMessages(alice)).map((m) => m.seq), [1, 2, 3, 4, 5]);
      assert.deepEqual(alice.problems, []);
      assert.deepEqual(bob.problems, []);
      await screenshot(bob, 'chat-bob');
    } finally {
      await screenshot(alice, 'chat-two-users');
      await alice.context().close();
      await bob.context().close();
    }
  });

test('history pages back to the first message, each once, in order', async () => {
  const page = await newPage(browser);
  try {
    const writer = await node.user('writer');
    const name = uname('long');
    const ch = (await node.api('POST', '/channels', { name }, writer.token)).body.channel;
    for (let i = 1; i <= 120; i++) {
      const r = await node.api('POST', `/channels/${ch.id}/messages`, { content: `line ${i}` },
        writer.token);
      assert.equal(r.status, 201);
    }
    await signUp(page, node, 'reader');
    await page.getByRole('button', { name: 'Join ' + name }).click();
    await page.locator('.messages .text', { hasText: 'line 120' }).waitFor();
    assert.equal((await shownMessages(page)).length, 50);
    // Scrolling to the top of the log loads the previous page (so does the button there).
    const older = page.getByRole('button', { name: 'Load older messages' });
    const log = page.getByRole('log');
    let pages = 1;
    while (await older.isVisible()) {
      const before = (await shownMessages(page)).length;
      await log.evaluate((el) => { el.scrollTop = 0; });
      await waitFor(async () => (await shownMessages(page)).length > before, 'an older page');
      pages++;
      // The reader stays where they were: the first message before the load is still in view.
      const kept = page.locator(`.messages li.msg[data-seq="${121 - before}"]`);
      assert.ok(await kept.isVisible(), 'scroll position kept');
    }
    assert.equal(pages, 3);
    await older.waitFor({ state: 'hidden' });
    const seqs = (await shownMessages(page)).map((m) => m.seq);
    assert.deepEqual(seqs, Array.from({ length: 120 }, (_, i) => i + 1));
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'chat-history');
    await page.context().close();
  }
});

test('private channel: add a member by user ID, leave, log out', async () => {
  const owner = await newPage(browser);
  const guest = await newPage(browser);
  try {
    await signUp(owner, node, 'owner');
    await signUp(guest, node, 'guest');
    const guestId = await guest.locator('.user-id').textContent();
    const secret = uname('secret');
    await createChannel(owner, secret, true);
    await owner.getByLabel(/Add member/).fill(guestId);
    await owner.getByRole('button', { name: 'Add', exact: true }).click();
    await owner.getByText('Added').waitFor();
    await sendMessage(owner, 'welcome in');

    // The guest sees the channel at the next refresh of the list (here: a reload).
    await guest.reload();
    await guest.getByRole('button', { name: new RegExp('Private channel ' + secret) }).click();
    await guest.locator('.messages .text', { hasText: 'welcome in' }).waitFor();

    await guest.getByRole('button', { name: 'Leave channel' }).click();
    await guest.getByText('You left').waitFor();
    assert.equal(await guest.getByRole('button', { name: /Private channel/ }).count(), 0);

    await guest.getByRole('button', { name: 'Log out' }).click();
    await guest.getByRole('button', { name: 'Sign in' }).waitFor();
    await guest.reload();
    await guest.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(owner.problems, []);
    assert.deepEqual(guest.problems, []);
  } finally {
    await screenshot(guest, 'chat-private-guest');
    await owner.context().close();
    await guest.context().close();
  }
});

test('a channel list older than a channel just created does not close it', async () => {
  const page = await newPage(browser);
  try {
    await signUp(page, node, 'racer');
    // Away from the app first, so that no list the old page asked for can be the one held.
    await page.goto('about:blank');
    // The next channel list the page asks for is fetched at once but handed over only after
    // the page has created a channel: an answer from before that channel existed. It carries
    // one more public channel, a marker that shows when the page has taken it in.
    const marker = uname('marker');
    let listAsked;
    const asked = new Promise((resolve) => { listAsked = resolve; });
    let channelCreated;
    const created = new Promise((resolve) => { channelCreated = resolve; });
    let held = false;
    await page.route('**/channels', async (route) => {
      if (route.request().method() !== 'GET' || held) {
        await route.continue();
        return;
      }
      held = true;
      const response = await route.fetch();
      const body = await response.json();
      body.channels.push({ id: 'c' + marker, name: marker, topic: '', private: false,
        created_at: Date.now(), last_seq: 0 });
      listAsked();
      await created;
      await route.fulfill({ response, json: body });
    });
    await page.goto(node.base + '/');  // signed in still: a fresh start asks for the list
    await asked;
    const name = uname('room');
    await createChannel(page, name);
    channelCreated();
    await page.getByRole('button', { name: 'Join ' + marker }).waitFor();  // the late list is in
    await page.locator('#channel-title', { hasText: name }).waitFor({ timeout: 1000 });
    const mine = page.locator('ul[aria-labelledby="mine-title"] li', { hasText: name });
    assert.equal(await mine.count(), 1, 'the channel is still among "Your channels"');
    assert.deepEqual(page.problems, []);
  } finally {
    await screenshot(page, 'chat-stale-list');
    await page.context().close();
  }
});

test('a wrong password is said in words', async () => {
  const page = await newPage(browser);
  try {
    const u = await node.user('carol');
    await page.goto(node.base + '/');
    await page.getByLabel('Username').fill(u.username);
    await page.getByLabel('Password').fill(PASSWORD + 'x');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
  } finally {
    await screenshot(page, 'chat-wrong-password');
    await page.context().close();
  }
});
