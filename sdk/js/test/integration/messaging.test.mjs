// Send, ack, receive, receipts, typing, presence, REST listing and a small upload, against a
// real confabd (PostgreSQL, Redis, S3 from the ctest `services` fixture).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ConfabClient, ServerError } from '../../dist/index.js';
import { Cluster, collect, waitFor } from './harness.mjs';

let cluster;
let app;
const clients = [];

async function connectAs(user, extra = {}) {
  const client = new ConfabClient({ url: cluster.node.url, token: () => cluster.mintToken(app.apiKey, user), ...extra });
  clients.push(client);
  await client.connect();
  return client;
}

before(async () => {
  cluster = await new Cluster().start(1);
  app = await cluster.createApp();
  await cluster.createConversation(app.apiKey, 'team', ['alice', 'bob']);
});
after(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
});

test('send resolves with the ack; both members receive the message once', async () => {
  const alice = await connectAs('alice');
  const bob = await connectAs('bob');
  const aliceGot = collect(alice);
  const bobGot = collect(bob);
  await waitFor('both tracking team', () => alice.cursor('team') === 0 && bob.cursor('team') === 0);
  const ack = await alice.send('team', { text: 'hi bob' });
  assert.equal(ack.status, 'ok');
  assert.equal(ack.seq_no, 1);
  assert.equal(ack.duplicate, false);
  assert.match(ack.server_msg_id, /^[0-9A-Z]{26}$/);
  await waitFor('bob gets it', () => bobGot('team').length === 1);
  await waitFor('alice gets her own create', () => aliceGot('team').length === 1);
  const m = bobGot('team')[0];
  assert.deepEqual(m.content, { text: 'hi bob' });
  assert.equal(m.sender_id, 'alice');
  assert.equal(m.client_msg_id, ack.client_msg_id);
  assert.deepEqual(await alice.pendingSends(), []);
});

test('a final error rejects send() with a typed ServerError and leaves nothing in the outbox', async () => {
  const alice = clients[0];
  await assert.rejects(alice.send('not-a-convo-of-mine', { text: 'x' }), (err) => {
    assert.ok(err instanceof ServerError);
    assert.ok(['not_member', 'not_found'].includes(err.code), err.code);
    return true;
  });
  assert.deepEqual(await alice.pendingSends(), []);
});

test('receipts, typing and presence reach the other member', async () => {
  const [alice, bob] = clients;
  const reads = [];
  const typing = [];
  const presence = [];
  alice.on('read', (r) => reads.push(r));
  alice.on('typing', (t) => typing.push(t));
  alice.on('presence', (p) => presence.push(p));
  bob.markRead('team', 1);
  bob.typing('team', true);
  alice.presence(['bob']);
  await waitFor('read receipt', () => reads.some((r) => r.user_id === 'bob' && r.seq_no === 1));
  await waitFor('typing', () => typing.some((t) => t.user_id === 'bob' && t.state === 'start'));
  await waitFor('presence', () => presence.some((p) => p.user_id === 'bob' && p.status === 'online'));
});

test('listConversations, getConversation and history through REST', async () => {
  const alice = clients[0];
  const list = await alice.listConversations();
  assert.deepEqual(list.map((c) => c.id), ['team']);
  assert.equal(list[0].last_seq, 1);
  assert.deepEqual((await alice.getConversation('team')).members.sort(), ['alice', 'bob']);
  const page = await alice.history('team', { afterSeq: 0 });
  assert.deepEqual(page.messages.map((m) => m.seq_no), [1]);
  assert.equal(page.nextPageToken, null);
});

test('upload() puts a small file in one PUT, reports progress, and the attachment can be sent and downloaded', async () => {
  const alice = clients[0];
  const bob = clients[1];
  const bobGot = collect(bob);
  const bytes = new TextEncoder().encode('hello attachment '.repeat(100));
  const progress = [];
  const att = await alice.upload('team', bytes, { filename: 'note.txt', contentType: 'text/plain', onProgress: (p) => progress.push(p) });
  assert.equal(att.filename, 'note.txt');
  assert.equal(att.content_type, 'text/plain');
  assert.equal(att.size, bytes.length);
  assert.match(att.key, /\/team\//);
  assert.deepEqual(progress.at(-1), { key: att.key, loaded: bytes.length, total: bytes.length });
  const ack = await alice.send('team', { text: 'see file' }, { attachments: [att] });
  await waitFor('bob gets the attachment', () => bobGot('team').some((m) => m.seq_no === ack.seq_no));
  const m = bobGot('team').find((x) => x.seq_no === ack.seq_no);
  assert.equal(m.attachments[0].key, att.key);
  const { download_url } = await bob.attachmentUrl(att.key);
  const body = new Uint8Array(await (await fetch(download_url)).arrayBuffer());
  assert.deepEqual(body, bytes);
});

test('an upload for a conversation the user is not in fails with a typed UploadError', async () => {
  const alice = clients[0];
  await assert.rejects(alice.upload('elsewhere', new Uint8Array(10), { filename: 'x.bin' }), (err) => {
    assert.equal(err.name, 'UploadError');
    assert.ok(['not_member', 'not_found'].includes(err.code), err.code);
    return true;
  });
});
