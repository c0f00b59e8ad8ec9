// The web chat's tiny server (node:http, no framework): serves public/ and a demo token
// endpoint. It holds the app's API key, which never reaches the browser: the page asks
// POST /token {"user_id"} and gets a short-lived user token minted by confabd.
//
// DEMO ONLY: /token has no authentication of its own. Anyone who can reach this server can
// chat as any of the demo users. A real back end mints a token only for the user its own
// login says is there.
//
//   node server.mjs --confab http://127.0.0.1:8080 --api-key KEY [--port 3000] [--host 127.0.0.1]
//                   [--users alice,bob,carol] [--public-confab URL]
// Each option may also come from the environment: CONFAB_URL, CONFAB_API_KEY, PORT, HOST,
// DEMO_USERS, CONFAB_PUBLIC_URL (the API key is better passed this way: arguments are visible
// to every user of the machine in ps).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    confab: { type: 'string' },
    'public-confab': { type: 'string' },
    'api-key': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    users: { type: 'string' },
  },
});

const confabUrl = (args.confab ?? process.env.CONFAB_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
// What the browser uses to reach confabd; differs from confabUrl behind a proxy or in a container.
const publicConfabUrl = (args['public-confab'] ?? process.env.CONFAB_PUBLIC_URL ?? confabUrl).replace(/\/$/, '');
const apiKey = args['api-key'] ?? process.env.CONFAB_API_KEY ?? '';
const port = Number(args.port ?? process.env.PORT ?? 3000);
const host = args.host ?? process.env.HOST ?? '127.0.0.1';
const users = (args.users ?? process.env.DEMO_USERS ?? 'alice,bob,carol')
  .split(',').map((u) => u.trim()).filter(Boolean);
const tokenTtlS = 3600;
const maxBodyBytes = 1024;
const publicDir = join(fileURLToPath(new URL('.', import.meta.url)), 'public');
const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

if (!apiKey) {
  console.error('web-chat: no API key (--api-key or CONFAB_API_KEY); scripts/dev-up.sh prints one');
  process.exit(2);
}
if (users.length < 2) {
  console.error('web-chat: at least two demo users are needed (--users alice,bob)');
  process.exit(2);
}

async function confab(method, path, body) {
  const res = await fetch(confabUrl + path, {
    method,
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

// The demo's conversations, made with the API key: one group of every demo user and a direct
// conversation for each pair. Both calls are safe to repeat: a direct conversation between the
// same two users is created once, and a taken group id answers 409.
async function createDemoConversations() {
  const group = await confab('POST', '/v1/conversations', {
    id: 'web-chat-demo', kind: 'group', title: 'Web chat demo', members: users, owner_id: users[0],
  });
  if (group.status !== 201 && group.status !== 409)
    throw new Error(`creating the demo group answered ${group.status} ${JSON.stringify(group.json)}`);
  for (let i = 0; i < users.length; ++i) {
    for (let j = i + 1; j < users.length; ++j) {
      const direct = await confab('POST', '/v1/conversations', { kind: 'direct', members: [users[i], users[j]] });
      if (direct.status !== 201 && direct.status !== 200)
        throw new Error(`creating a direct conversation answered ${direct.status} ${JSON.stringify(direct.json)}`);
    }
  }
}

function send(res, status, body, type = 'application/json') {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        // Answered 413; the rest is read and dropped, and the connection closed after the answer.
        req.removeAllListeners('data');
        req.resume();
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function handleToken(req, res) {
  let userId;
  try {
    userId = JSON.parse(await readBody(req)).user_id;
  } catch (e) {
    if (e.status === 413)
      res.setHeader('Connection', 'close');
    return send(res, e.status ?? 400, { error: 'body must be JSON {"user_id":"..."} of at most 1 KiB' });
  }
  // Only the demo users: the page can not mint a token for an arbitrary id.
  if (typeof userId !== 'string' || !users.includes(userId))
    return send(res, 403, { error: `user_id must be one of ${users.join(', ')}` });
  try {
    const r = await confab('POST', '/v1/auth/token', { user_id: userId, ttl_s: tokenTtlS });
    if (r.status !== 200)
      return send(res, 502, { error: `confabd answered ${r.status}`, detail: r.json });
    send(res, 200, { access_token: r.json.access_token, expires_in: r.json.expires_in });
  } catch (e) {
    send(res, 502, { error: `confabd unreachable: ${e.message}` });
  }
}

async function handleStatic(req, res) {
  const path = new URL(req.url, 'http://x').pathname;
  const name = path === '/' ? 'index.html' : path.slice(1);
  // Only plain file names of public/: no directories, no "..".
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.'))
    return send(res, 404, 'not found', 'text/plain');
  try {
    const data = await readFile(join(publicDir, name));
    send(res, 200, data, contentTypes[extname(name)] ?? 'application/octet-stream');
  } catch {
    send(res, 404, 'not found', 'text/plain');
  }
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (req.method === 'POST' && path === '/token')
    return void handleToken(req, res);
  if (req.method === 'GET' && path === '/config.json')
    return send(res, 200, { confab_url: publicConfabUrl, users });
  if (req.method === 'GET' || req.method === 'HEAD')
    return void handleStatic(req, res);
  send(res, 405, { error: 'method not allowed' });
});

try {
  await createDemoConversations();
} catch (e) {
  console.error(`web-chat: ${e.message} (is confabd running at ${confabUrl}, is the API key right?)`);
  process.exit(1);
}
server.listen(port, host, () => {
  const { port: bound } = server.address();
  // The browser test reads this line to learn the port when started with --port 0.
  console.log(`web-chat: http://${host}:${bound}/ (confabd ${confabUrl}, users ${users.join(', ')})`);
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
