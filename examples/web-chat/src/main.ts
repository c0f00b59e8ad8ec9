// The web chat page: one ConfabClient for the chosen user, a conversation list, messages,
// typing indicator, read receipts, presence and attachments. Everything the server says
// arrives through the SDK's events; the page only renders it.
import { ConfabClient, ServerError } from '@confab/client';
import type { Attachment, Conversation, Envelope, ReceiptEvent, TypingEvent } from '@confab/client';

interface Config { confab_url: string; users: string[] }

interface ConvoView {
  convo: Conversation;
  list: HTMLOListElement;   // this conversation's messages, shown when it is selected
  item: HTMLLIElement;      // its entry in the sidebar
  unread: number;
  lastSeq: number;
  readBy: Map<string, number>;  // other members' read watermarks
  typing: Map<string, number>;  // user -> timer that ends a typing.start nobody stopped
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const historyShown = 50;   // messages of each conversation shown when the page opens
const typingIdleMs = 2000; // typing.stop after this long without a key
const typingRepeatMs = 3000;

let client: ConfabClient;
let me = '';
let confabUrl = '';
let selected: ConvoView | undefined;
const views = new Map<string, ConvoView>();

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16)); // randomUUID needs a secure context
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text) e.textContent = text;
  return e;
}

function title(c: Conversation): string {
  if (c.kind === 'direct') return c.members.find((m) => m !== me) ?? c.id;
  return c.title || c.id;
}

// ---- conversations --------------------------------------------------------------------

function addConversation(c: Conversation): ConvoView {
  const existing = views.get(c.id);
  if (existing) return existing;
  const item = el('li');
  item.dataset.convoId = c.id;
  item.append(el('span', 'name', title(c)), el('span', 'badge'));
  item.addEventListener('click', () => select(view));
  $('conversations').append(item);
  const list = el('ol');
  list.hidden = true;
  $('messages').append(list);
  const view: ConvoView = { convo: c, list, item, unread: c.unread ?? 0, lastSeq: 0, readBy: new Map(), typing: new Map() };
  views.set(c.id, view);
  showUnread(view);
  // The last messages come through the SDK like live ones: exactly once, in order.
  client.track(c.id, Math.max(0, c.last_seq - historyShown));
  client.presence(c.members.filter((m) => m !== me));
  for (const m of c.members) if (m !== me) addPerson(m);
  return view;
}

function select(view: ConvoView) {
  if (selected) {
    selected.item.classList.remove('selected');
    selected.list.hidden = true;
  }
  selected = view;
  view.item.classList.add('selected');
  view.list.hidden = false;
  $('title').textContent = title(view.convo);
  showTyping();
  markRead(view);
  view.list.lastElementChild?.scrollIntoView();
}

function showUnread(view: ConvoView) {
  view.item.querySelector('.badge')!.textContent = view.unread > 0 ? String(view.unread) : '';
}

function markRead(view: ConvoView) {
  if (view !== selected || document.visibilityState !== 'visible' || view.lastSeq === 0) return;
  client.markRead(view.convo.id, view.lastSeq);
  view.unread = 0;
  showUnread(view);
}

// ---- messages ---------------------------------------------------------------------------

function textOf(m: Envelope): string {
  const c = m.content as { text?: unknown } | null;
  return c && typeof c === 'object' && typeof c.text === 'string' ? c.text : JSON.stringify(m.content);
}

function renderAttachments(li: HTMLLIElement, attachments: Attachment[] | undefined) {
  for (const a of attachments ?? []) {
    const link = el('a', 'attachment', `Attachment: ${a.filename} (${a.size} bytes)`);
    link.href = '#';
    link.dataset.key = a.key;
    link.addEventListener('click', (e) => { e.preventDefault(); void openAttachment(a.key); });
    li.append(link);
  }
}

// A pending bubble for a message this page sends, before the server has it.
function pendingBubble(view: ConvoView, clientMsgId: string, text: string, attachments?: Attachment[]) {
  const li = el('li', 'message mine');
  li.dataset.clientMsgId = clientMsgId;
  li.dataset.state = 'sending';
  li.append(el('span', 'text', text));
  renderAttachments(li, attachments);
  li.append(el('span', 'meta', 'sending…'));
  view.list.append(li);
  li.scrollIntoView();
  return li;
}

// Every `message` event adds a bubble, or fills this page's pending one the first time: the
// page never drops a repeated message, so a duplicate delivery would show (the browser test
// counts the bubbles of each message id).
function onMessage(m: Envelope) {
  const view = views.get(m.convo_id);
  if (!view) return;
  const mine = m.sender_id === me;
  let li = mine
    ? view.list.querySelector<HTMLLIElement>(`li[data-client-msg-id="${CSS.escape(m.client_msg_id)}"]:not([data-delivered])`)
    : null;
  if (!li) {
    li = el('li', mine ? 'message mine' : 'message');
    if (!mine) li.append(el('span', 'sender', m.sender_id));
    li.append(el('span', 'text', textOf(m)));
    renderAttachments(li, m.attachments);
    li.append(el('span', 'meta'));
    li.dataset.clientMsgId = m.client_msg_id;
    view.list.append(li);
  }
  li.dataset.delivered = 'true';
  li.dataset.msgId = m.server_msg_id;
  li.dataset.seq = String(m.seq_no);
  li.dataset.sender = m.sender_id;
  li.dataset.state = 'sent';
  li.querySelector('.meta')!.textContent = new Date(m.ts).toLocaleTimeString();
  view.lastSeq = Math.max(view.lastSeq, m.seq_no);
  if (mine) {
    showReceipts(view);
  } else {
    client.markDelivered(m.convo_id, m.seq_no);
    if (view === selected && document.visibilityState === 'visible') {
      markRead(view);
    } else {
      view.unread += 1;
      showUnread(view);
    }
  }
  if (view === selected) li.scrollIntoView();
}

function onRead(r: ReceiptEvent) {
  const view = views.get(r.convo_id);
  if (!view || r.user_id === me) return;
  view.readBy.set(r.user_id, Math.max(view.readBy.get(r.user_id) ?? 0, r.seq_no));
  showReceipts(view);
}

// "read by bob" under each of my messages that another member has read.
function showReceipts(view: ConvoView) {
  for (const li of view.list.querySelectorAll<HTMLLIElement>('li.mine[data-seq]')) {
    const seq = Number(li.dataset.seq);
    const readers = [...view.readBy].filter(([, s]) => s >= seq).map(([u]) => u).sort();
    if (readers.length === 0 || li.dataset.readBy === readers.join(' ')) continue;
    li.dataset.readBy = readers.join(' ');
    li.querySelector('.meta')!.textContent = `✓✓ read by ${readers.join(', ')}`;
  }
}

async function sendMessage(text: string, attachments?: Attachment[]) {
  if (!selected) return;
  const view = selected;
  const clientMsgId = randomId();
  const li = pendingBubble(view, clientMsgId, text, attachments);
  stopTyping();
  try {
    const ack = await client.send(view.convo.id, { text }, { clientMsgId, attachments });
    // The message event may come before or after the ack; both fill the same bubble.
    if (!li.dataset.delivered) {
      li.dataset.msgId = ack.server_msg_id;
      li.dataset.seq = String(ack.seq_no);
      li.dataset.state = 'sent';
      li.querySelector('.meta')!.textContent = new Date(ack.ts).toLocaleTimeString();
    }
    li.dataset.acked = 'true';
    showReceipts(view);
  } catch (e) {
    li.dataset.state = 'failed';
    li.querySelector('.meta')!.textContent = e instanceof ServerError ? `not sent: ${e.code}` : `not sent: ${String(e)}`;
  }
}

// ---- typing ---------------------------------------------------------------------------

let typingConvo = '';
let typingSentAt = 0;
let typingTimer = 0;

function onKey() {
  if (!selected) return;
  const now = Date.now();
  if (typingConvo !== selected.convo.id || now - typingSentAt > typingRepeatMs) {
    if (typingConvo && typingConvo !== selected.convo.id) client.typing(typingConvo, false);
    typingConvo = selected.convo.id;
    typingSentAt = now;
    client.typing(typingConvo, true);
  }
  clearTimeout(typingTimer);
  typingTimer = window.setTimeout(stopTyping, typingIdleMs);
}

function stopTyping() {
  clearTimeout(typingTimer);
  if (typingConvo) client.typing(typingConvo, false);
  typingConvo = '';
  typingSentAt = 0;
}

function onTyping(t: TypingEvent) {
  const view = views.get(t.convo_id);
  if (!view || t.user_id === me) return;
  clearTimeout(view.typing.get(t.user_id));
  view.typing.delete(t.user_id);
  // The server ends a start nobody stopped after 10 s; so does the page.
  if (t.state === 'start') view.typing.set(t.user_id, window.setTimeout(() => onTyping({ ...t, state: 'stop' }), 10000));
  if (view === selected) showTyping();
}

function showTyping() {
  const who = selected ? [...selected.typing.keys()].sort() : [];
  const p = $('typing');
  p.dataset.users = who.join(' ');
  p.textContent = who.length === 0 ? '' : `${who.join(', ')} ${who.length === 1 ? 'is' : 'are'} typing…`;
}

// ---- presence, attachments, status -------------------------------------------------------

function addPerson(user: string) {
  if (document.querySelector(`#people li[data-user="${CSS.escape(user)}"]`)) return;
  const li = el('li', '', user);
  li.dataset.user = user;
  li.dataset.presence = 'offline';
  $('people').append(li);
}

async function upload(file: File) {
  if (!selected) return;
  const status = $('upload');
  status.hidden = false;
  status.textContent = `uploading ${file.name}…`;
  try {
    const attachment = await client.upload(selected.convo.id, file, {
      onProgress: (p) => { status.textContent = `uploading ${file.name}: ${Math.round((100 * p.loaded) / p.total)} %`; },
    });
    status.hidden = true;
    await sendMessage(($('text') as HTMLInputElement).value || file.name, [attachment]);
    ($('text') as HTMLInputElement).value = '';
  } catch (e) {
    status.textContent = `upload failed: ${e instanceof ServerError ? e.code : String(e)}`;
  }
}

// The download URL is presigned and short-lived: asked for when the link is clicked.
async function openAttachment(key: string) {
  try {
    window.open((await client.attachmentUrl(key)).download_url, '_blank', 'noopener');
  } catch (e) {
    console.warn('confab: no download URL for', key, e);
  }
}

async function fetchToken(): Promise<string> {
  const res = await fetch('/token', { method: 'POST', body: JSON.stringify({ user_id: me }) });
  if (!res.ok) throw new Error(`the token endpoint answered ${res.status}`);
  return (await res.json()).access_token;
}

// ---- start ------------------------------------------------------------------------------

async function start(user: string) {
  me = user;
  history.replaceState(null, '', `?user=${encodeURIComponent(user)}`);
  $('login').hidden = true;
  $('app').hidden = false;
  $('me').textContent = user;
  document.title = `${user} · Confab web chat`;

  client = new ConfabClient({
    url: confabUrl,
    token: fetchToken,
    trackAll: false, // the page tracks each conversation itself, with its last messages
    backoff: { maxMs: 5000 },
  });
  // A browser keeps an open WebSocket open when the network goes (Chromium even when DevTools
  // switches the page offline), so the client would notice only at its heartbeat timeout, with
  // sends sitting on a dead socket. Drop it at once instead: sends wait in the outbox while
  // connection attempts fail, and the first connection after `online` resends them with their
  // client_msg_id (so each arrives once). At `online`, come back now rather than after backoff.
  window.addEventListener('offline', () => client.reconnect());
  window.addEventListener('online', () => client.reconnect());
  client.on('state', (s) => { $('status').dataset.state = s; $('status').textContent = s; });
  client.on('message', onMessage);
  client.on('read', onRead);
  client.on('typing', onTyping);
  client.on('presence', (p) => {
    addPerson(p.user_id);
    document.querySelector<HTMLElement>(`#people li[data-user="${CSS.escape(p.user_id)}"]`)!.dataset.presence = p.status;
  });
  client.on('conversation', (ev) => {
    if (ev.change === 'member_added' && ev.user_id === me)
      client.getConversation(ev.convo_id).then(addConversation, (e) => console.warn('confab:', e));
  });
  client.on('error', (e) => console.warn('confab:', e));

  await client.connect();
  const convos = await client.listConversations();
  convos.sort((a, b) => (a.kind === b.kind ? title(a).localeCompare(title(b)) : a.kind === 'group' ? -1 : 1));
  for (const c of convos) addConversation(c);
  if (convos.length > 0) select(views.get(convos[0].id)!);
}

async function main() {
  const config: Config = await (await fetch('/config.json')).json();
  confabUrl = config.confab_url;
  for (const u of config.users) {
    const b = el('button', '', u);
    b.dataset.user = u;
    b.addEventListener('click', () => void start(u).catch(failed));
    $('users').append(b);
  }
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $('text') as HTMLInputElement;
    if (!input.value.trim()) return;
    void sendMessage(input.value);
    input.value = '';
  });
  $('text').addEventListener('input', onKey);
  $('file').addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    if (input.files?.[0]) void upload(input.files[0]);
    input.value = '';
  });
  document.addEventListener('visibilitychange', () => { if (selected) markRead(selected); });
  const user = new URLSearchParams(location.search).get('user');
  if (user && config.users.includes(user)) await start(user).catch(failed);
}

// A start that failed (token refused, server unreachable) is said in the status badge.
function failed(e: unknown) {
  $('status').dataset.state = 'closed';
  $('status').textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
}

void main();
