// A multipart attachment upload against a real confabd and the S3 fixture, interrupted (the
// network fails every PUT of part 2) and resumed by a new client (as after a page reload) from
// the plain-JSON state the error carried. Skipped when the server under test has no multipart
// attachments (it answers one upload_url for any size).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ConfabClient, UploadError } from '../../dist/index.js';
import { Cluster } from './harness.mjs';

const PART = 5 * 1024 * 1024; // S3's smallest part but the last
let cluster;
let app;
const clients = [];

before(async () => {
  cluster = await new Cluster({ CONFAB_LIMITS_ATTACHMENT_PART_BYTES: String(PART) }).start(1);
  app = await cluster.createApp();
  await cluster.createConversation(app.apiKey, 'files', ['alice', 'bob']);
});
after(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
});

function client(user, fetchImpl) {
  const c = new ConfabClient({ url: cluster.node.url, token: () => cluster.mintToken(app.apiKey, user), fetch: fetchImpl });
  clients.push(c);
  return c;
}

test('an interrupted multipart upload resumes from its state and the file arrives whole', async (t) => {
  const size = 2 * PART + 123457; // three parts, the last one short
  const data = new Uint8Array(size);
  for (let i = 0; i < size; ++i) data[i] = (i * 7 + (i >> 13)) & 0xff;
  const sha = (b) => createHash('sha256').update(b).digest('hex');

  const probe = await fetch(`${cluster.node.url}/v1/attachments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${app.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ convo_id: 'files', filename: 'probe.bin', content_type: 'application/octet-stream', size }),
  }).then((r) => r.json());
  if (!probe.upload_id) {
    t.skip('this confabd has no multipart attachment uploads (no upload_id for a big file)');
    return;
  }

  const puts = [];
  let failing = true;
  const flaky = async (url, init = {}) => {
    const part = /[?&]partNumber=(\d+)/.exec(url)?.[1];
    if (init.method === 'PUT') puts.push(Number(part ?? 0));
    if (failing && init.method === 'PUT' && part === '2') throw new TypeError('fetch failed (network down)');
    return fetch(url, init);
  };
  const alice = client('alice', flaky);
  const progress = [];
  const err = await alice
    .upload('files', data, { filename: 'big.bin', contentType: 'application/octet-stream', onProgress: (p) => progress.push(p.loaded) })
    .catch((e) => e);
  assert.ok(err instanceof UploadError, `upload failed with ${err}`);
  assert.ok(err.state, 'the error carries the state to resume from');
  assert.equal(puts.filter((n) => n === 2).length, 3, 'part 2 was tried three times');
  assert.deepEqual(progress, [0, PART]);
  const saved = JSON.parse(JSON.stringify(err.state)); // e.g. kept in localStorage over a reload

  failing = false;
  puts.length = 0;
  const again = client('alice', flaky);
  const att = await again.resumeUpload(saved, data, { onProgress: (p) => progress.push(p.loaded) });
  assert.deepEqual(puts, [2, 3], 'only the parts not done were sent again');
  assert.deepEqual(att, { key: saved.key, filename: 'big.bin', content_type: 'application/octet-stream', size });
  assert.equal(progress.at(-1), size);

  const ack = await again.send('files', { text: 'big file' }, { attachments: [att] });
  assert.equal(ack.status, 'ok');
  const bob = client('bob');
  const { download_url } = await bob.attachmentUrl(att.key);
  const body = new Uint8Array(await (await fetch(download_url)).arrayBuffer());
  assert.equal(body.length, size);
  assert.equal(sha(body), sha(data));
});
