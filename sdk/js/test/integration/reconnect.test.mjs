// Exactly once, in order, whatever happens to the connection: a network cut, a confabd killed
// and restarted, a token that expires (close 4001). Another client keeps sending meanwhile from a
// second node. Real confabd nodes on PostgreSQL, Redis and S3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfabClient } from '../../dist/index.js';
import { Cluster, Proxy, collect, sleep, waitFor } from './harness.mjs';

let cluster;
let app;
let proxy;
const clients = [];
const fastBackoff = { initialMs: 100, maxMs: 1000 };

function client(user, url, extra = {}) {
  const c = new ConfabClient({ url, token: () => cluster.mintToken(app.apiKey, user), backoff: fastBackoff, ...extra });
  clients.push(c);
  return c;
}

/** seq_nos 1..n exactly, in order, each once. */
function assertExactlyOnceInOrder(messages, n, what) {
  assert.deepEqual(
    messages.map((m) => m.seq_no),
    Array.from({ length: n }, (_, i) => i + 1),
    `${what}: every message once, in order`,
  );
  assert.equal(new Set(messages.map((m) => m.server_msg_id)).size, n);
}

before(async () => {
  cluster = await new Cluster().start(2);
  app = await cluster.createApp({ limits: { user_msgs_per_min: 0, app_msgs_per_s: 0, conns_per_user_per_10s: 0 } });
  proxy = await new Proxy(cluster.nodes[0].publicPort).start();
});
after(async () => {
  for (const c of clients) c.close();
  await proxy?.stop();
  await cluster?.stop();
});

test('a network cut while another client sends: the app sees every message once, in order', async () => {
  await cluster.createConversation(app.apiKey, 'cut', ['alice', 'bob']);
  const alice = client('alice', proxy.url);
  const bob = client('bob', cluster.nodes[1].url);
  const got = collect(alice);
  const disconnects = [];
  alice.on('disconnected', (d) => disconnects.push(d));
  await alice.connect();
  await bob.connect();
  await waitFor('alice tracks cut', () => alice.cursor('cut') === 0);

  let sent = 0;
  const sendSome = async (n) => {
    for (let i = 0; i < n; ++i) await bob.send('cut', { n: ++sent });
  };
  await sendSome(5);
  await waitFor('first five', () => got('cut').length === 5);
  proxy.down();
  await sendSome(10); // alice is offline
  proxy.up();
  const during = sendSome(10); // alice reconnecting and catching up while bob goes on
  await sleep(150);
  proxy.down();
  await during;
  proxy.up();
  await sendSome(5);
  await waitFor('alice has all 30', () => got('cut').length >= 30 && alice.state === 'open');
  await sleep(300); // anything delivered twice would show up now
  assertExactlyOnceInOrder(got('cut'), 30, 'alice');
  assert.deepEqual(got('cut').map((m) => m.content.n), Array.from({ length: 30 }, (_, i) => i + 1));
  assert.ok(disconnects.length >= 2, 'the connection really dropped');
  assert.equal(alice.cursor('cut'), 30);
});

test('confabd killed and restarted: the client reconnects and syncs what the other node accepted', async () => {
  await cluster.createConversation(app.apiKey, 'restart', ['alice', 'bob']);
  const alice = client('alice', cluster.nodes[0].url);
  const bob = client('bob', cluster.nodes[1].url);
  const got = collect(alice);
  const states = [];
  alice.on('state', (s) => states.push(s));
  await alice.connect();
  await bob.connect();
  await waitFor('alice tracks restart', () => alice.cursor('restart') === 0);
  for (let i = 1; i <= 3; ++i) await bob.send('restart', { n: i });
  await waitFor('first three', () => got('restart').length === 3);

  await cluster.nodes[0].kill('SIGKILL');
  await waitFor('alice notices', () => alice.state === 'reconnecting');
  for (let i = 4; i <= 15; ++i) await bob.send('restart', { n: i });
  await cluster.nodes[0].start();
  await waitFor('alice has all 15', () => got('restart').length >= 15 && alice.state === 'open', 30000);
  for (let i = 16; i <= 18; ++i) await bob.send('restart', { n: i });
  await waitFor('live again', () => got('restart').length >= 18);
  await sleep(300);
  assertExactlyOnceInOrder(got('restart'), 18, 'alice');
  assert.ok(states.includes('reconnecting') && states.at(-1) === 'open');
});

test('an expiring token: close 4001, a fresh token from the callback, and nothing lost', async () => {
  await cluster.createConversation(app.apiKey, 'expiry', ['carol', 'bob']);
  let minted = 0;
  const carol = new ConfabClient({
    url: cluster.nodes[0].url,
    backoff: fastBackoff,
    refreshBeforeExpiry: false, // let it expire: the 4001 path
    token: async () => {
      ++minted;
      return cluster.mintToken(app.apiKey, 'carol', 2); // lives 2 s
    },
  });
  clients.push(carol);
  const bob = client('bob', cluster.nodes[1].url);
  const got = collect(carol);
  const closes = [];
  carol.on('disconnected', (d) => closes.push(d.code));
  await carol.connect();
  await bob.connect();
  await waitFor('carol tracks expiry', () => carol.cursor('expiry') === 0);
  let n = 0;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await bob.send('expiry', { n: ++n }); // keeps going across carol's 4001 and reconnect
    await sleep(50);
  }
  await waitFor('the session ended with 4001', () => closes.includes(4001), 10000);
  await waitFor('carol has everything', () => got('expiry').length >= n && carol.state === 'open', 15000);
  assert.ok(minted >= 2, `the token callback was asked again (${minted} calls)`);
  await sleep(300);
  assertExactlyOnceInOrder(got('expiry'), n, 'carol');
  // And the new session works for sending too.
  const ack = await carol.send('expiry', { text: 'back' });
  assert.equal(ack.seq_no, n + 1);
});

test('refreshBeforeExpiry renews a short token in place with auth.refresh: no close at all', async () => {
  await cluster.createConversation(app.apiKey, 'renew', ['erin', 'bob']);
  let minted = 0;
  const erin = new ConfabClient({
    url: cluster.nodes[0].url,
    token: async () => {
      ++minted;
      return cluster.mintToken(app.apiKey, 'erin', 3);
    },
  });
  clients.push(erin);
  const bob = client('bob', cluster.nodes[1].url);
  const got = collect(erin);
  const closes = [];
  erin.on('disconnected', (d) => closes.push(d.code));
  await erin.connect();
  await bob.connect();
  await waitFor('erin tracks renew', () => erin.cursor('renew') === 0);
  await sleep(7000); // more than two token lifetimes
  await bob.send('renew', { text: 'still there?' });
  await waitFor('erin gets it', () => got('renew').length === 1);
  assert.deepEqual(closes, [], 'the session was never closed');
  assert.ok(minted >= 3, `a token was fetched before each expiry (${minted} calls)`);
});
