// Browser test of examples/web-chat (ctest tst_webchat_browser, label browser): Debian's
// chromium, headless through puppeteer-core, two pages as two users of one group against a
// real confabd (PostgreSQL, Redis, S3 from the `services` fixture). They exchange messages,
// see typing and read receipts and presence; page B goes offline, sends, comes back, and the
// message reaches A exactly once. Every message id is counted in both pages' DOM and compared
// with the server's history, so a lost or duplicated message fails the test.
// CONFAB_SCREENSHOT_DIR=<dir> saves web-chat-alice.png and web-chat-bob.png there
// (docs/images/ for the docs; by default screenshots/ in the working directory, which under
// ctest is build/tests/examples).
import { test as nodeTest, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { Stack } from './stack.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = resolve(here, '../../..');
const convo = 'web-chat-demo'; // the group examples/web-chat/server.mjs makes
const users = ['alice', 'bob', 'carol'];
const waitMs = 30000;

const stack = new Stack({
  confabd: process.env.CONFABD ?? join(root, 'build/server/confabd'),
  exampleDir: join(root, 'examples/web-chat'),
  users,
});
let browser;
const pages = {};
let failed = false;

// A failing step prints the servers' output at the end.
function test(name, fn) {
  nodeTest(name, async () => {
    try {
      await fn();
    } catch (e) {
      failed = true;
      throw e;
    }
  });
}

before(async () => {
  failed = true; // until the stack and both pages are up
  await stack.start();
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // CI runs as root, where chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  for (const user of ['alice', 'bob']) {
    // A context each: separate storage, like two people's browsers.
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 900, height: 560 });
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warn') console.log(`[${user} page] ${m.text()}`); });
    page.on('pageerror', (e) => console.log(`[${user} page] uncaught: ${e.message}`));
    await page.goto(`${stack.webUrl}/?user=${user}`);
    pages[user] = page;
  }
  failed = false;
});

after(async () => {
  if (failed)
    console.log(stack.logs());
  await browser?.close();
  await stack.stop();
});

// The message bubbles of the group in a page, as the test sees them.
function messagesIn(page) {
  return page.evaluate(() => [...document.querySelectorAll('#messages ol:not([hidden]) li.message')].map((li) => ({
    id: li.dataset.msgId ?? null,
    clientId: li.dataset.clientMsgId,
    text: li.querySelector('.text').textContent,
    state: li.dataset.state,
    acked: li.dataset.acked === 'true',
    readBy: li.dataset.readBy ?? '',
  })));
}

async function waitUntil(page, what, fn, ...args) {
  try {
    await page.waitForFunction(fn, { timeout: waitMs, polling: 100 }, ...args);
  } catch (e) {
    throw new Error(`${what}: ${e.message}`);
  }
}

const hasText = (text) => [...document.querySelectorAll('#messages ol:not([hidden]) li.message .text')]
  .some((e) => e.textContent === text);

async function say(page, text) {
  await page.focus('#text');
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

async function bubbleOf(page, text) {
  const all = (await messagesIn(page)).filter((m) => m.text === text);
  assert.equal(all.length, 1, `exactly one bubble of "${text}" in the page, found ${JSON.stringify(all)}`);
  return all[0];
}

test('the demo token endpoint mints tokens for the demo users only', async () => {
  const token = (body) => fetch(`${stack.webUrl}/token`, { method: 'POST', body });
  const ok = await token(JSON.stringify({ user_id: 'carol' }));
  assert.equal(ok.status, 200);
  assert.match((await ok.json()).access_token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.equal((await token(JSON.stringify({ user_id: 'mallory' }))).status, 403);
  assert.equal((await token('not json')).status, 400);
  assert.equal((await token(JSON.stringify({ user_id: 'x'.repeat(2000) }))).status, 413, 'a body over 1 KiB');
  const page = await fetch(`${stack.webUrl}/`);
  assert.equal(page.status, 200);
  assert.doesNotMatch(await page.text(), new RegExp(stack.apiKey), 'the API key never reaches the browser');
  assert.equal((await fetch(`${stack.webUrl}/..%2fserver.mjs`)).status, 404);
});

test('both pages connect and show the demo group and each other online', async () => {
  for (const [user, other] of [['alice', 'bob'], ['bob', 'alice']]) {
    const page = pages[user];
    await waitUntil(page, `${user} connected`, () => document.getElementById('status').dataset.state === 'open');
    await waitUntil(page, `${user} sees the group selected`,
      (id) => document.querySelector(`#conversations li.selected`)?.dataset.convoId === id, convo);
    await waitUntil(page, `${user} sees ${other} online`,
      (u) => document.querySelector(`#people li[data-user="${u}"]`)?.dataset.presence === 'online', other);
  }
});

test('typing, a message, its ack and its read receipt', async () => {
  const { alice, bob } = pages;
  await alice.focus('#text');
  await alice.keyboard.type('Hello Bob');
  await waitUntil(bob, 'bob sees alice typing', () => document.getElementById('typing').dataset.users === 'alice');
  await alice.keyboard.press('Enter');
  await waitUntil(bob, 'bob sees the typing stop', () => document.getElementById('typing').dataset.users === '');
  await waitUntil(bob, 'bob receives the message', hasText, 'Hello Bob');
  await waitUntil(alice, 'alice sees her message acked and read by bob', () => {
    const li = [...document.querySelectorAll('li.message.mine')].find((e) => e.querySelector('.text').textContent === 'Hello Bob');
    return li?.dataset.acked === 'true' && li.dataset.readBy === 'bob';
  });
  const sent = await bubbleOf(alice, 'Hello Bob');
  const received = await bubbleOf(bob, 'Hello Bob');
  assert.ok(sent.id, 'the sender bubble carries the server_msg_id');
  assert.equal(received.id, sent.id);

  await say(bob, 'Hi Alice, got it');
  await waitUntil(alice, 'alice receives the reply', hasText, 'Hi Alice, got it');
  await waitUntil(bob, 'bob sees his reply read by alice', () => {
    const li = [...document.querySelectorAll('li.message.mine')].find((e) => e.querySelector('.text').textContent === 'Hi Alice, got it');
    return li?.dataset.readBy === 'alice';
  });
});

test('an attachment: uploaded by alice\'s page through its presigned URL, opened by bob', async () => {
  const { alice, bob } = pages;
  const file = join(stack.dir, 'notes.txt');
  const content = `Confab attachment ${Date.now()}\n`;
  writeFileSync(file, content);
  await (await alice.$('#file')).uploadFile(file);
  await waitUntil(alice, 'alice\'s attachment message is acked', () => {
    const li = [...document.querySelectorAll('li.message.mine')].find((e) => e.querySelector('.text').textContent === 'notes.txt');
    return li?.dataset.acked === 'true';
  });
  await waitUntil(bob, 'bob receives the attachment',
    () => [...document.querySelectorAll('li.message a.attachment')].some((a) => a.textContent.includes('notes.txt')));
  // Clicking the link asks confabd for a presigned GET and opens it in a new tab.
  const opened = browser.waitForTarget((t) => t.url().startsWith(stack.s3Url), { timeout: waitMs });
  await bob.evaluate(() => [...document.querySelectorAll('li.message a.attachment')]
    .find((a) => a.textContent.includes('notes.txt')).click());
  const tab = await opened;
  const res = await fetch(tab.url());
  assert.equal(res.status, 200);
  assert.equal(await res.text(), content, 'the download is what alice uploaded');
  await (await tab.page())?.close();
});

test('bob goes offline, sends, comes back: the message arrives once', async () => {
  const { alice, bob } = pages;
  await bob.setOfflineMode(true);
  await waitUntil(bob, 'bob\'s page notices it is offline', () => document.getElementById('status').dataset.state !== 'open');
  await say(bob, 'Sent while offline');
  const pending = await bubbleOf(bob, 'Sent while offline');
  assert.equal(pending.state, 'sending', 'the message waits in the outbox while offline');
  assert.equal(pending.acked, false);

  await bob.setOfflineMode(false);
  await waitUntil(bob, 'bob reconnects', () => document.getElementById('status').dataset.state === 'open');
  await waitUntil(bob, 'bob\'s message is acked after the reconnect', () => {
    const li = [...document.querySelectorAll('li.message.mine')].find((e) => e.querySelector('.text').textContent === 'Sent while offline');
    return li?.dataset.acked === 'true';
  });
  await waitUntil(alice, 'alice receives the message sent offline', hasText, 'Sent while offline');
  // A later message from the same sender: in-order delivery means any second copy of the
  // offline message would have come before it.
  await say(bob, 'Back online');
  await waitUntil(alice, 'alice receives the next message', hasText, 'Back online');
  await waitUntil(bob, 'bob\'s next message is acked', () => {
    const li = [...document.querySelectorAll('li.message.mine')].find((e) => e.querySelector('.text').textContent === 'Back online');
    return li?.dataset.acked === 'true';
  });
  const atAlice = await bubbleOf(alice, 'Sent while offline');
  const atBob = await bubbleOf(bob, 'Sent while offline');
  assert.equal(atAlice.id, atBob.id);
  assert.equal(atAlice.clientId, pending.clientId, 'the resend kept its client_msg_id');
});

test('each page shows every stored message exactly once, in order', async () => {
  const { messages } = await stack.api('GET', `/v1/conversations/${convo}/messages?limit=200`);
  const stored = messages.map((m) => m.server_msg_id);
  assert.equal(new Set(stored).size, stored.length);
  assert.deepEqual(messages.map((m) => m.content.text),
    ['Hello Bob', 'Hi Alice, got it', 'notes.txt', 'Sent while offline', 'Back online']);
  for (const [user, page] of Object.entries(pages)) {
    const shown = (await messagesIn(page)).map((m) => m.id);
    assert.deepEqual(shown, stored, `${user}'s page lists each stored message once, in seq order`);
    for (const id of stored) {
      const count = await page.$$eval(`li.message[data-msg-id="${id}"]`, (els) => els.length);
      assert.equal(count, 1, `${user}'s page has one bubble of ${id}`);
    }
  }
});

test('screenshots of both pages', async () => {
  const dir = process.env.CONFAB_SCREENSHOT_DIR ?? join(process.cwd(), 'screenshots');
  mkdirSync(dir, { recursive: true });
  // Bob is typing again, so alice's screenshot shows the indicator.
  await pages.bob.focus('#text');
  await pages.bob.keyboard.type('One more thing');
  await waitUntil(pages.alice, 'alice sees bob typing', () => document.getElementById('typing').dataset.users === 'bob');
  for (const [user, page] of Object.entries(pages))
    await page.screenshot({ path: join(dir, `web-chat-${user}.png`) });
});

