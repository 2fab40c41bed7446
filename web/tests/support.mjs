// Shared code of the browser tests: a real plexichat-node on loopback (free port, temp data
// dir, always stopped), headless Chromium through playwright-core (never a downloaded
// browser), REST helpers, and a screenshot of each test's last state.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

export const PASSWORD = 'correct horse battery';
export const CHROMIUM = process.env.PLEXICHAT_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.PLEXICHAT_WEB_ARTIFACTS ||
  join(tmpdir(), 'plexichat-web-artifacts');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update',
  '--disable-sync'];

export const uname = (prefix) => `${prefix}_${randomBytes(4).toString('hex')}`;

/** Polls `cond` until it returns a truthy value (returned) or the deadline passes. */
export async function waitFor(cond, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await cond();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** One plexichat-node process; `start` again after `kill` reuses its port and data dir. */
export class Node {
  /** `extra` is more config YAML, appended as lines (top-level sections not set here). */
  static async create(extra = []) {
    const binary = process.env.PLEXICHAT_NODE;
    if (!binary) {
      throw new Error('set PLEXICHAT_NODE to the plexichat-node binary');
    }
    return new Node(binary, await freePort(), mkdtempSync(join(tmpdir(), 'pc-web-')), extra);
  }

  constructor(binary, port, dir, extra = []) {
    this.binary = binary;
    this.port = port;
    this.dir = dir;
    this.proc = null;
    this.base = `http://127.0.0.1:${port}`;
    this.config = join(dir, 'config.yaml');
    writeFileSync(this.config, [
      'name: web-test', `data_dir: "${join(dir, 'data')}"`, `listen: "127.0.0.1:${port}"`,
      'log:', '  level: info', 'threads:', '  scheduler: 2', '  io: 2',
      'auth:', '  password_hash_cost: min', ...extra, ''].join('\n'));
  }

  async start() {
    const log = openSync(join(this.dir, 'node.log'), 'a');
    this.proc = spawn(this.binary, ['--config', this.config], {
      stdio: ['ignore', log, log],
      env: { ASAN_OPTIONS: 'detect_container_overflow=0', ...process.env },
    });
    const proc = this.proc;
    await waitFor(async () => {
      if (proc.exitCode !== null) {
        throw new Error(`node exited with ${proc.exitCode}; see ${this.dir}/node.log`);
      }
      try {
        return (await fetch(this.base + '/readyz')).status === 200;
      } catch {
        return false;
      }
    }, 'the node to be ready', 60000);
  }

  async signal(sig) {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      return;
    }
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(sig);
    await exited;
  }

  kill() {
    return this.signal('SIGKILL');
  }

  async stop() {
    await this.signal('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A REST call; answers {status, body, headers}. */
  async api(method, path, body, token) {
    const headers = {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (token) {
      headers.Authorization = 'Bearer ' + token;
    }
    const res = await fetch(this.base + '/api/v1' + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  }

  /** Registers and logs in a user over REST: {token, user}. */
  async user(prefix) {
    const username = uname(prefix);
    const reg = await this.api('POST', '/auth/register', { username, password: PASSWORD });
    if (reg.status !== 201) {
      throw new Error('register: ' + JSON.stringify(reg.body));
    }
    const login = await this.api('POST', '/auth/login', { username, password: PASSWORD });
    return { token: login.body.token, user: login.body.user, username };
  }

  async history(channelId, token) {
    const res = await this.api('GET', `/channels/${channelId}/messages?limit=200`, undefined, token);
    return res.body.messages;
  }
}

/** Headless Chromium, Debian's binary; launch() gives it a fresh empty temporary profile. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * One node on a free port with a temporary data dir, and one browser: a test file's setup.
 * `extra` is more config YAML for the node (Node.create).
 */
export async function startNodeAndBrowser(extra = []) {
  const node = await Node.create(extra);
  try {
    await node.start();
    return { node, browser: await launchBrowser() };
  } catch (err) {
    await node.stop();
    throw err;
  }
}

/** Undoes startNodeAndBrowser; safe after a setup that failed half-way. */
export async function stopNodeAndBrowser(node, browser) {
  await browser?.close();
  await node?.stop();
}

/** A page that records dialogs, page errors and CSP violations (all must stay empty). */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.problems = [];
  page.on('dialog', (d) => {
    page.problems.push('dialog: ' + d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => page.problems.push('page error: ' + e.message));
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) {
      page.problems.push('console: ' + m.text());
    }
  });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (page && !page.isClosed()) {
    await page.screenshot({ path: join(ARTIFACTS, name + '.png') }).catch(() => undefined);
  }
}

/** Signs a new account up through the form; answers the username. */
export async function signUp(page, node, prefix) {
  const username = uname(prefix);
  await page.goto(node.base + '/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  return username;
}

export async function createChannel(page, name, isPrivate = false) {
  await page.getByLabel('Name', { exact: true }).fill(name);
  if (isPrivate) {
    await page.getByLabel('Private (members only)').check();
  }
  await page.getByRole('button', { name: 'Create channel' }).click();
  await page.locator('#channel-title', { hasText: name }).waitFor();
}

export async function sendMessage(page, text) {
  await page.locator('#composer').fill(text);
  await page.locator('#composer').press('Enter');
}

/** The texts of the confirmed messages shown, in page order, and their seqs. */
export async function shownMessages(page) {
  return page.locator('.messages li.msg[data-seq]').evaluateAll((els) => els.map((el) => ({
    seq: Number(el.getAttribute('data-seq')),
    text: el.querySelector('.text').textContent,
  })));
}

export async function activeChannelId(page) {
  return page.locator('button.channel[aria-current="true"]').getAttribute('data-channel');
}
