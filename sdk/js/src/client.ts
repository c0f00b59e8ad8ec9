import { Connection, type InflightInit } from './connection.js';
import { Emitter } from './emitter.js';
import { AuthError, ClosedError, ConfabError, ServerError, type UploadState } from './errors.js';
import { MemoryOutbox, type OutboxEntry } from './outbox.js';
import { SendQueue } from './sendqueue.js';
import { randomId, type ClientEvents, type ClientOptions, type SendOptions } from './options.js';
export { PROTOCOL_VERSION, jwtExpiryMs } from './options.js';
export type { ClientEvents, ClientOptions, SendOptions, SendRetryEvent } from './options.js';
import { Rest, type FetchLike } from './rest.js';
import { Sequencer } from './sequencer.js';
import type {
  Attachment,
  ClientState,
  ConnectionAck,
  Conversation,
  ConversationEvent,
  Envelope,
  HistoryPage,
  Json,
  SendAck,
} from './types.js';
import { Uploader, type UploadOptions, type UploadSource } from './upload.js';

// What the server's frames mean (in-order delivery, catch-up syncs, receipts, presence), the outbox,
// REST and uploads. Keeping a session open on a socket is the Connection's (connection.ts).
export class ConfabClient extends Emitter<ClientEvents> {
  private readonly opts: ClientOptions;
  private readonly conn: Connection;
  private readonly rest: Rest;
  private readonly uploader: Uploader;
  private readonly fetchImpl: FetchLike;
  private readonly sequencer = new Sequencer();

  private readonly caughtUp = new Set<string>();
  private readonly presenceIds = new Set<string>();
  private readonly queue: SendQueue;

  constructor(options: ClientOptions) {
    super();
    if (!options?.url) throw new TypeError('ConfabClient: options.url is required');
    if (!options.token) throw new TypeError('ConfabClient: options.token is required');
    this.opts = options;
    const f = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    if (!f) throw new TypeError('ConfabClient: no fetch in this environment (options.fetch)');
    this.fetchImpl = f.bind(globalThis) as FetchLike;
    const base = options.url.replace(/\/+$/, '');
    this.rest = new Rest(base, this.fetchImpl, (fresh) => this.conn.getToken(fresh));
    this.uploader = new Uploader(this.rest, this.fetchImpl);
    this.conn = new Connection(options, {
      emit: (event, payload) => this.emit(event, payload as never),
      opened: (gen) => void this.resume(gen),
      frame: (f, pending) => this.handleFrame(f, pending),
      lost: (unanswered) => this.connectionLost(unanswered),
      closed: (err) => {
        this.queue.stop();
        this.queue.rejectWaiters(err);
      },
    });
    for (const [convo, seq] of Object.entries(options.cursors ?? {})) this.sequencer.track(convo, seq);
    this.queue = new SendQueue(
      {
        ready: () => this.conn.ready(),
        generation: () => this.conn.generation,
        request: (frame, id) => this.conn.request(frame, { kind: 'send', id }),
        caughtUp: (c) => this.caughtUp.has(c) || !this.sequencer.has(c),
        emit: (event, payload) => this.emit(event, payload as never),
      },
      options.outbox ?? new MemoryOutbox(),
      options.dedupWindowMs ?? 3600000,
      Math.max(1, Math.min(60, options.maxInflightSends ?? 16)),
    );
  }

  /** An 'error' with no listener is written to console.error: never dropped silently. */
  protected override emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    if (event === 'error' && this.listenerCount('error') === 0) {
      const err = payload as ConfabError;
      console.error(`@confab/client: ${err.name}: ${err.message}`);
      return;
    }
    super.emit(event, payload);
  }

  get state(): ClientState {
    return this.conn.state;
  }

  get userId(): string | undefined {
    return this.conn.ack?.user_id;
  }

  // ---- connection (connection.ts) -------------------------------------------------------

  /** Open the connection and keep it open (reconnecting) until close(). Resolves at the first connection.ack. */
  connect(): Promise<ConnectionAck> {
    return this.conn.connect();
  }

  /** Close for good. Pending send() promises reject with ClosedError (a persistent outbox keeps them). */
  close(): void {
    this.conn.close();
  }

  /** Drop the current connection and reconnect at once (as after a network change). */
  reconnect(): void {
    this.conn.reconnect();
  }

  /** The socket is gone: its syncs and sends are no longer in flight, and no conversation is caught up until synced again. */
  private connectionLost(unanswered: InflightInit[]): void {
    for (const r of unanswered) if (r.kind === 'sync') this.sequencer.setSyncing(r.convoId, false);
    this.queue.connectionLost();
    this.caughtUp.clear();
  }

  // ---- frames ---------------------------------------------------------------------------

  /** A frame from the server (the connection keeps connection.ack and auth.refreshed), with the request it answers. */
  private handleFrame(f: any, pending?: InflightInit): void {
    switch (f.type) {
      case 'message.ack':
        if (pending?.kind === 'send') this.queue.onAck(pending.id, f);
        return;
      case 'error':
        return this.onErrorFrame(f, pending);
      case 'message.create':
        if (f.message) this.deliver(this.sequencer.push(f.message as Envelope), (f.message as Envelope).convo_id);
        return;
      case 'sync.result':
        if (pending?.kind === 'sync') {
          const res = this.sequencer.syncPage(pending.convoId, pending.afterSeq, f.messages ?? [], !!f.has_more);
          this.deliver(res, pending.convoId);
          if (res.syncFrom === undefined) {
            this.caughtUp.add(pending.convoId);
            this.queue.pump();
          }
        }
        return;
      case 'sync.required':
        for (const c of (f.convo_ids ?? []) as string[]) this.requestSync(c);
        return;
      case 'message.read':
        return this.emit('read', { convo_id: f.convo_id, user_id: f.user_id, seq_no: f.seq_no });
      case 'message.delivery':
        return this.emit('delivery', { convo_id: f.convo_id, user_id: f.user_id, seq_no: f.seq_no });
      case 'typing':
        return this.emit('typing', { convo_id: f.convo_id, user_id: f.user_id, state: f.state });
      case 'presence.update':
        return this.emit('presence', { user_id: f.user_id, status: f.status, last_seen_ms: f.last_seen_ms });
      case 'conversation.updated':
        return this.onConversationUpdated(f as ConversationEvent);
      case 'system.notice':
        return this.emit('notice', { code: f.code, message: f.message, grace_ms: f.grace_ms });
      default:
        return; // pong, frames added by later servers
    }
  }

  /** After every (re)connect: track, resubscribe, catch up, then drain the outbox. */
  private async resume(gen: number): Promise<void> {
    await this.queue.loaded;
    if (this.opts.trackAll !== false) {
      try {
        const list = await this.listConversations();
        if (gen !== this.conn.generation) return;
        for (const c of list) if (!this.sequencer.has(c.id)) this.sequencer.track(c.id, c.last_seq);
      } catch (err) {
        if (gen !== this.conn.generation) return;
        this.emit('error', err instanceof ConfabError ? err : new ConfabError('internal', String(err)));
      }
    }
    if (gen !== this.conn.generation) return;
    if (this.presenceIds.size > 0) this.conn.sendFrame({ type: 'presence.subscribe', user_ids: [...this.presenceIds] });
    for (const convo of this.sequencer.convoIds()) this.requestSync(convo);
    this.queue.pump();
  }

  private requestSync(convoId: string): void {
    if (!this.conn.sessionReady || !this.sequencer.has(convoId) || this.sequencer.isSyncing(convoId)) return;
    const afterSeq = this.sequencer.cursor(convoId)!;
    this.caughtUp.delete(convoId);
    const req = this.conn.request(
      { type: 'sync', convo_id: convoId, after_seq: afterSeq, limit: 200 },
      { kind: 'sync', convoId, afterSeq },
    );
    if (req) this.sequencer.setSyncing(convoId, true);
  }

  private deliver(res: { deliver: Envelope[]; syncFrom?: number }, convoId: string): void {
    for (const env of res.deliver) {
      this.emit('message', env);
      if (env.sender_id === this.userId) this.queue.delivered(env);
    }
    if (res.syncFrom !== undefined) this.requestSync(convoId);
  }

  private onConversationUpdated(ev: ConversationEvent): void {
    this.emit('conversation', ev);
    if (ev.user_id !== this.userId) return;
    if (ev.change === 'member_removed') {
      this.sequencer.untrack(ev.convo_id);
    } else if (ev.change === 'member_added' && !this.sequencer.has(ev.convo_id) && this.opts.trackAll !== false) {
      const gen = this.conn.generation;
      this.getConversation(ev.convo_id).then(
        (c) => {
          if (!this.sequencer.has(c.id)) this.sequencer.track(c.id, c.last_seq);
          if (gen === this.conn.generation) this.requestSync(c.id);
        },
        (err) => this.emit('error', err instanceof ConfabError ? err : new ConfabError('internal', String(err))),
      );
    }
  }

  private onErrorFrame(f: any, pending?: InflightInit): void {
    const err = new ServerError(String(f.code ?? 'internal'), String(f.message ?? ''), {
      retryAfterMs: typeof f.retry_after_ms === 'number' ? f.retry_after_ms : undefined,
      req: f.req,
    });
    if (pending?.kind === 'send') return this.queue.onError(pending.id, err);
    if (pending?.kind === 'refresh') return this.emit('error', new AuthError(`auth.refresh refused: ${err.code}: ${err.message}`));
    if (pending?.kind === 'sync') {
      this.sequencer.setSyncing(pending.convoId, false);
      if (err.code === 'not_member' || err.code === 'not_found') {
        this.sequencer.untrack(pending.convoId);
        this.caughtUp.delete(pending.convoId);
        this.emit('error', err);
        this.queue.pump();
      } else {
        const gen = this.conn.generation;
        setTimeout(() => gen === this.conn.generation && this.requestSync(pending.convoId), err.retryAfterMs ?? 1000);
        if (err.code !== 'rate_limited') this.emit('error', err);
      }
      return;
    }
    this.emit('error', err);
  }

  // ---- outbox ---------------------------------------------------------------------------

  /** Queue a message; resolves with its ack once the server has it (resent until then). */
  async send(convoId: string, content: Json, options: SendOptions = {}): Promise<SendAck> {
    if (this.conn.state === 'closed') throw new ClosedError();
    if (typeof convoId !== 'string' || !convoId) throw new TypeError('send: convoId must be a non-empty string');
    const entry: OutboxEntry = {
      convoId,
      clientMsgId: options.clientMsgId ?? randomId(),
      content,
      createdMs: Date.now(),
    };
    if (options.attachments?.length) entry.attachments = options.attachments;
    return this.queue.add(entry);
  }

  /** What the outbox holds (sends not acknowledged yet). */
  pendingSends(): Promise<OutboxEntry[]> {
    return this.queue.list();
  }

  // ---- receipts, typing, presence, tracking ---------------------------------------------

  markRead(convoId: string, seqNo: number): void {
    this.conn.sendFrame({ type: 'message.read', convo_id: convoId, seq_no: seqNo });
  }

  markDelivered(convoId: string, seqNo: number): void {
    this.conn.sendFrame({ type: 'message.delivered', convo_id: convoId, seq_no: seqNo });
  }

  typing(convoId: string, on: boolean): void {
    this.conn.sendFrame({ type: on ? 'typing.start' : 'typing.stop', convo_id: convoId });
  }

  /** Watch these users' presence ('presence' events); kept across reconnects. */
  presence(userIds: string[]): void {
    const added = userIds.filter((u) => !this.presenceIds.has(u));
    for (const u of added) this.presenceIds.add(u);
    if (added.length > 0 && this.conn.sessionReady) this.conn.sendFrame({ type: 'presence.subscribe', user_ids: added });
  }

  /** Deliver a conversation's messages after `afterSeq` (syncs now if online). */
  track(convoId: string, afterSeq = 0): void {
    this.sequencer.track(convoId, afterSeq);
    this.requestSync(convoId);
  }

  /** The last seq_no delivered to the app for this conversation. */
  cursor(convoId: string): number | undefined {
    return this.sequencer.cursor(convoId);
  }

  // ---- REST -----------------------------------------------------------------------------

  async listConversations(): Promise<Conversation[]> {
    const r = await this.rest.call<{ conversations: Conversation[] }>('GET', '/v1/conversations');
    return r.conversations;
  }

  getConversation(id: string): Promise<Conversation> {
    return this.rest.call<Conversation>('GET', `/v1/conversations/${encodeURIComponent(id)}`);
  }

  async createConversation(body: { id?: string; kind: 'direct' | 'group'; members: string[]; title?: string }): Promise<Conversation> {
    const c = await this.rest.call<Conversation>('POST', '/v1/conversations', body);
    if (!this.sequencer.has(c.id)) this.track(c.id, 0);
    return c;
  }

  async history(
    convoId: string,
    q: { afterSeq?: number; beforeSeq?: number; limit?: number; pageToken?: string } = {},
  ): Promise<HistoryPage> {
    const params = new URLSearchParams();
    if (q.afterSeq !== undefined) params.set('after_seq', String(q.afterSeq));
    if (q.beforeSeq !== undefined) params.set('before_seq', String(q.beforeSeq));
    if (q.limit !== undefined) params.set('limit', String(q.limit));
    if (q.pageToken) params.set('page_token', q.pageToken);
    const qs = params.toString();
    const r = await this.rest.call<{ messages: Envelope[]; next_page_token: string | null }>(
      'GET',
      `/v1/conversations/${encodeURIComponent(convoId)}/messages${qs ? `?${qs}` : ''}`,
    );
    return { messages: r.messages, nextPageToken: r.next_page_token ?? null };
  }

  /** A presigned download URL for an attachment key. */
  async attachmentUrl(key: string): Promise<{ download_url: string; expires_ms: number }> {
    return this.rest.call('GET', `/v1/attachments/url?key=${encodeURIComponent(key)}`);
  }

  // ---- uploads --------------------------------------------------------------------------

  upload(convoId: string, file: UploadSource, options: UploadOptions = {}): Promise<Attachment> {
    return this.uploader.upload(convoId, file, this.withProgress(options));
  }

  resumeUpload(state: UploadState, file: UploadSource, options: UploadOptions = {}): Promise<Attachment> {
    return this.uploader.resume(state, file, this.withProgress(options));
  }

  abortUpload(state: UploadState): Promise<void> {
    return this.uploader.abort(state);
  }

  private withProgress(options: UploadOptions): UploadOptions {
    return {
      ...options,
      onProgress: (p) => {
        options.onProgress?.(p);
        this.emit('upload.progress', p);
      },
    };
  }
}
