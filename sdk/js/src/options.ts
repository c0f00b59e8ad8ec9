import type { BackoffOptions } from './backoff.js';
import type { ConfabError } from './errors.js';
import type { OutboxEntry, OutboxStore } from './outbox.js';
import type { FetchLike } from './rest.js';
import type { SocketConstructor } from './transport.js';
import type {
  Attachment,
  ClientState,
  ConnectionAck,
  ConversationEvent,
  Envelope,
  NoticeEvent,
  PresenceEvent,
  ReceiptEvent,
  SendAck,
  TypingEvent,
} from './types.js';
import type { UploadProgress } from './upload.js';

// The client's options and events, and the small helpers it shares with nothing else.
export interface ClientOptions {
  /** Base URL of the public listener, `http(s)://host:port`. */
  url: string;
  /** A user token, or a callback answering a fresh one (called at each connect and after a 4001 close). */
  token: string | (() => string | Promise<string>);
  /** Where unacked sends are kept (default: memory). */
  outbox?: OutboxStore;
  /** Last seq_no the app already holds, per conversation. */
  cursors?: Record<string, number>;
  /** List and track every conversation of the user at each connect (default true). */
  trackAll?: boolean;
  backoff?: BackoffOptions;
  /** The server's `[limits] dedup_window` in ms (default 1 h). */
  dedupWindowMs?: number;
  /** A request not answered in this time counts as a lost connection (default 15 s). */
  requestTimeoutMs?: number;
  /** WebSocket implementation (default: global WebSocket, else the `ws` package). */
  WebSocket?: SocketConstructor;
  /** fetch implementation (default: global fetch). */
  fetch?: FetchLike;
  /** Sends in flight at once on one connection (default 16; the server allows 64 requests). */
  maxInflightSends?: number;
  /**
   * With a token callback and a JWT with `exp`: fetch a new token shortly before it expires and
   * renew the session in place with `auth.refresh` (default true). Off, or if that fails, the
   * server closes with 4001 at expiry and the client reconnects with a fresh token.
   */
  refreshBeforeExpiry?: boolean;
}

export interface SendOptions {
  attachments?: Attachment[];
  /** Defaults to a random UUID. Reusing one makes the send idempotent across restarts. */
  clientMsgId?: string;
}

export interface SendRetryEvent {
  clientMsgId: string;
  convoId: string;
  code: string;
  /** When the send will be tried again (ms since the epoch). */
  retryAtMs: number;
}

export interface ClientEvents {
  message: Envelope;
  sent: { entry: OutboxEntry; ack: SendAck };
  'send.retry': SendRetryEvent;
  state: ClientState;
  connected: ConnectionAck;
  disconnected: { code: number; reason: string };
  read: ReceiptEvent;
  delivery: ReceiptEvent;
  typing: TypingEvent;
  presence: PresenceEvent;
  conversation: ConversationEvent;
  notice: NoticeEvent;
  'upload.progress': UploadProgress;
  error: ConfabError;
}

/** Protocol version this package speaks; the package's major version is the same number. */
export const PROTOCOL_VERSION = 1;

/** A JWT's `exp` in ms, if it has one. */
export function jwtExpiryMs(token: string): number | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const payload = JSON.parse(atob(b64)) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  let s = '';
  for (let i = 0; i < 32; ++i) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}
