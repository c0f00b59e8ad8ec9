// The outbox against a real confabd: sends made offline are kept and resent with the same
// client_msg_id; a send whose ack was lost is resent after an outage longer than the dedup
// window without a duplicate (the client syncs first and finds it); rate_limited retry_after_ms
// is honoured on the wire.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ConfabClient } from '../../dist/index.js';
import { Cluster, Proxy, sleep, waitFor } from './harness.mjs';

let cluster;
let app;
let proxy;
const clients = [];
const DEDUP_WINDOW_MS = 1000; // the server's [limits] dedup_window for this file: 1 s

function client(user, url, extra = {}) {
  const c = new ConfabClient({
    url,
    token: () => cluster.mintToken(app.apiKey, user),
    backoff: { initialMs: 100, maxMs: 1000 },
    dedupWindowMs: DEDUP_WINDOW_MS,
    ...extra,
  });
  clients.push(c);
  return c;
}

function countByClientId(history) {
  const counts = new Map();
  for (const m of history) counts.set(m.client_msg_id, (counts.get(m.client_msg_id) ?? 0) + 1);
  return counts;
}

before(async () => {
  cluster = await new Cluster({ CONFAB_LIMITS_DEDUP_WINDOW: '1s' }).start(1);
  app = await cluster.createApp({ limits: { user_msgs_per_min: 0, app_msgs_per_s: 0, conns_per_user_per_10s: 0 } });
  proxy = await new Proxy(cluster.node.publicPort).start();
});
after(async () => {
  for (const c of clients) c.close();
  await proxy?.stop();
  await cluster?.stop();
});

test('sends made while offline wait in the outbox and are delivered once when back online', async () => {
  await cluster.createConversation(app.apiKey, 'offline', ['alice', 'bob']);
  const alice = client('alice', proxy.url);
  await alice.connect();
  await waitFor('tracking', () => alice.cursor('offline') === 0);
  proxy.down();
  await waitFor('alice offline', () => alice.state === 'reconnecting');
  const pending = [1, 2, 3].map((n) => alice.send('offline', { n }, { clientMsgId: `off-${n}` }));
  await sleep(300);
  assert.deepEqual((await alice.pendingSends()).map((e) => e.clientMsgId), ['off-1', 'off-2', 'off-3']);
  proxy.up();
  const acks = await Promise.all(pending);
  assert.deepEqual(acks.map((a) => a.client_msg_id), ['off-1', 'off-2', 'off-3']);
  assert.deepEqual(acks.map((a) => a.seq_no).sort(), [1, 2, 3]);
  assert.deepEqual(await alice.pendingSends(), []);
  const counts = countByClientId(await cluster.history(app.apiKey, 'offline'));
  assert.deepEqual([...counts.entries()].sort(), [['off-1', 1], ['off-2', 1], ['off-3', 1]]);
});

test('a lost ack and an outage longer than the dedup window: synced, found, not sent twice', async () => {
  await cluster.createConversation(app.apiKey, 'lost', ['alice', 'bob']);
  await cluster.createConversation(app.apiKey, 'control', ['alice', 'bob']);
  const alice = client('alice', proxy.url, { requestTimeoutMs: 60000 });
  const sentEvents = [];
  alice.on('sent', (s) => sentEvents.push(s));
  await alice.connect();
  await waitFor('tracking', () => alice.cursor('lost') === 0);

  proxy.deaf(); // the server gets the send, alice never hears back
  const p = alice.send('lost', { text: 'once' }, { clientMsgId: 'lost-1' });
  await waitFor('stored', async () => (await cluster.history(app.apiKey, 'lost')).length === 1);
  proxy.down();
  // Control: after 2.5 windows the server has forgotten an id (a REST resend makes a second copy),
  // so only the client's sync-before-resend keeps 'lost-1' single.
  const post = (id) => cluster.call('POST', `${cluster.node.url}/v1/conversations/control/messages`, app.apiKey, { client_msg_id: id, content: 'c', sender_id: 'bob' });
  await post('ctl-1');
  await sleep(2.5 * DEDUP_WINDOW_MS);
  const again = await post('ctl-1');
  assert.equal(again.duplicate, false, 'the server forgot the id after the window (else this test proves nothing)');
  proxy.up();

  const ack = await p;
  assert.equal(ack.seq_no, 1);
  assert.equal(ack.duplicate, true, 'acknowledged from history, not by a new accept');
  assert.deepEqual(await alice.pendingSends(), []);
  await sleep(500);
  const counts = countByClientId(await cluster.history(app.apiKey, 'lost'));
  assert.deepEqual([...counts.entries()], [['lost-1', 1]]);
  assert.equal(sentEvents.filter((s) => s.entry.clientMsgId === 'lost-1').length, 1);
});

test('rate_limited: every send lands once, and no resend comes before retry_after_ms', async () => {
  const limited = await cluster.createApp({ limits: { user_msgs_per_min: 0, app_msgs_per_s: 2, conns_per_user_per_10s: 0 } });
  await cluster.createConversation(limited.apiKey, 'rl', ['dave']);
  const wire = []; // {dir, at, frame}
  class RecordingWebSocket extends WebSocket {
    constructor(url) {
      super(url);
      this.on('message', (data) => wire.push({ dir: 'in', at: Date.now(), frame: JSON.parse(data.toString()) }));
    }
    send(data) {
      wire.push({ dir: 'out', at: Date.now(), frame: JSON.parse(data) });
      super.send(data);
    }
  }
  const dave = new ConfabClient({ url: cluster.node.url, token: () => cluster.mintToken(limited.apiKey, 'dave'), WebSocket: RecordingWebSocket });
  clients.push(dave);
  const retries = [];
  dave.on('send.retry', (r) => retries.push(r));
  await dave.connect();
  const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => dave.send('rl', { n: i }, { clientMsgId: `rl-${i}` })));
  assert.deepEqual(acks.map((a) => a.seq_no).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(retries.some((r) => r.code === 'rate_limited'), 'the limit was hit');

  const idOfReq = new Map(wire.filter((w) => w.dir === 'out' && w.frame.type === 'message.send').map((w) => [w.frame.req, w.frame.client_msg_id]));
  let checked = 0;
  for (const w of wire) {
    if (w.dir !== 'in' || w.frame.type !== 'error' || w.frame.code !== 'rate_limited') continue;
    assert.equal(typeof w.frame.retry_after_ms, 'number');
    const id = idOfReq.get(w.frame.req);
    const resend = wire.find((x) => x.dir === 'out' && x.frame.type === 'message.send' && x.frame.client_msg_id === id && x.at >= w.at && x.frame.req !== w.frame.req);
    assert.ok(resend, `${id} was resent`);
    assert.ok(resend.at - w.at >= w.frame.retry_after_ms - 2, `${id}: resent ${resend.at - w.at} ms after a retry_after_ms of ${w.frame.retry_after_ms}`);
    ++checked;
  }
  assert.ok(checked > 0);
  const counts = countByClientId(await cluster.history(limited.apiKey, 'rl'));
  assert.equal(counts.size, 8);
  assert.ok([...counts.values()].every((n) => n === 1));
});
