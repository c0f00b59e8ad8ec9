// The multipart upload state machine against an in-memory fake of the attachment REST routes and
// part URLs (the real routes are exercised by test/integration/); fast and deterministic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfabClient, UploadError } from '../../dist/index.js';

function fakeServer({ size, partBytes, failPart = {} }) {
  const count = Math.ceil(size / partBytes);
  const stored = new Map(); // part -> {etag, bytes}
  const calls = [];
  const urls = (from) =>
    Array.from({ length: count }, (_, i) => i + 1)
      .filter((n) => !from.has(n))
      .map((n) => ({ part_number: n, upload_url: `http://s3/part/${n}` }));
  const json = (status, body) => ({ status, ok: status < 300, headers: { get: () => null }, text: async () => (body === undefined ? '' : JSON.stringify(body)) });
  const fetch = async (url, init = {}) => {
    const u = new URL(url);
    calls.push(`${init.method ?? 'GET'} ${u.pathname}`);
    if (u.pathname === '/v1/attachments' && init.method === 'POST') {
      const body = JSON.parse(init.body);
      assert.equal(body.size, size);
      return json(201, { key: 'att/a/c/1/big.bin', upload_id: 'U1', part_bytes: partBytes, parts: urls(new Set()), expires_ms: 0 });
    }
    if (u.pathname === '/v1/attachments/parts') {
      assert.equal(u.searchParams.get('upload_id'), 'U1');
      const done = [...stored.entries()].map(([n, p]) => ({ part_number: n, etag: p.etag, size: p.bytes.length }));
      return json(200, { done, parts: urls(new Set(stored.keys())) });
    }
    if (u.pathname === '/v1/attachments/complete') {
      const body = JSON.parse(init.body);
      assert.deepEqual(body.parts.map((p) => p.part_number), Array.from({ length: count }, (_, i) => i + 1));
      for (const p of body.parts) assert.equal(p.etag, stored.get(p.part_number).etag);
      const total = [...stored.values()].reduce((a, p) => a + p.bytes.length, 0);
      return json(200, { key: body.key, size: total });
    }
    const m = u.pathname.match(/^\/part\/(\d+)$/);
    if (m && init.method === 'PUT') {
      const n = Number(m[1]);
      if ((failPart[n] ?? 0) > 0) {
        --failPart[n];
        return json(500, undefined);
      }
      const bytes = new Uint8Array(init.body);
      stored.set(n, { etag: `"etag-${n}-${bytes.length}"`, bytes });
      return { status: 200, ok: true, headers: { get: (h) => (h.toLowerCase() === 'etag' ? `"etag-${n}-${bytes.length}"` : null) }, text: async () => '' };
    }
    return json(404, { error: { code: 'not_found', message: url } });
  };
  return { fetch, stored, calls };
}

const file = (size) => Uint8Array.from({ length: size }, (_, i) => i % 251);

test('a multipart upload PUTs each slice, retries a failed part and completes with every ETag', async () => {
  const srv = fakeServer({ size: 2500, partBytes: 1000, failPart: { 2: 2 } });
  const client = new ConfabClient({ url: 'http://confab', token: 't', fetch: srv.fetch });
  const progress = [];
  const data = file(2500);
  const att = await client.upload('c', data, { filename: 'big.bin', onProgress: (p) => progress.push(p.loaded) });
  assert.deepEqual(att, { key: 'att/a/c/1/big.bin', filename: 'big.bin', content_type: 'application/octet-stream', size: 2500 });
  assert.deepEqual([...srv.stored.keys()].sort(), [1, 2, 3]);
  assert.deepEqual(srv.stored.get(3).bytes, data.subarray(2000, 2500), 'the last slice is the short remainder');
  assert.deepEqual(progress, [0, 1000, 2000, 2500]);
  assert.equal(srv.calls.filter((c) => c === 'PUT /part/2').length, 3, 'two failures, then success');
  client.close();
});

test('an interrupted multipart upload resumes: only the missing parts are sent again', async () => {
  const failPart = { 2: 99 };
  const srv = fakeServer({ size: 3000, partBytes: 1000, failPart });
  const client = new ConfabClient({ url: 'http://confab', token: 't', fetch: srv.fetch });
  const data = file(3000);
  let saved;
  const err = await client.upload('c', data, { filename: 'big.bin', attempts: 2, onState: (s) => (saved = s) }).catch((e) => e);
  assert.ok(err instanceof UploadError);
  assert.deepEqual(err.state, saved);
  assert.deepEqual(JSON.parse(JSON.stringify(err.state)), err.state, 'the state is plain JSON');
  assert.deepEqual([...srv.stored.keys()], [1]);

  failPart[2] = 0; // the storage comes back
  srv.calls.length = 0;
  const events = [];
  client.on('upload.progress', (p) => events.push(p.loaded));
  const done = await client.resumeUpload(err.state, data);
  assert.equal(done.size, 3000);
  assert.deepEqual(srv.calls, ['GET /v1/attachments/parts', 'PUT /part/2', 'PUT /part/3', 'POST /v1/attachments/complete']);
  assert.deepEqual(events, [1000, 2000, 3000]);
  client.close();
});

test('resumeUpload refuses a file of another size', async () => {
  const client = new ConfabClient({ url: 'http://confab', token: 't', fetch: async () => assert.fail('no request expected') });
  const state = { key: 'k', uploadId: 'U', convoId: 'c', filename: 'f', contentType: 'x/y', size: 10, partBytes: 5 };
  await assert.rejects(client.resumeUpload(state, new Uint8Array(9)), { name: 'UploadError', code: 'bad_request' });
  client.close();
});
