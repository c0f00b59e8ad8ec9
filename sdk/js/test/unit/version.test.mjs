import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PROTOCOL_VERSION } from '../../dist/index.js';

test("the package's major version is the protocol version it speaks", () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.equal(Number(pkg.version.split('.')[0]), PROTOCOL_VERSION);
});

test('the CJS build exports the same API as the ESM build', async () => {
  const cjs = createRequire(import.meta.url)('../../dist/index.cjs');
  const esm = await import('../../dist/index.js');
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.equal(typeof cjs.ConfabClient, 'function');
});
