import type { Envelope } from './types.js';

/** What the client must do after offering the sequencer a message or a sync page. */
export interface SequencerResult {
  /** Deliver these to the app, in this order. */
  deliver: Envelope[];
  /** Sync this conversation from `cursor` (a gap, or more pages waiting). */
  syncFrom?: number;
}

interface ConvoState {
  cursor: number;
  /** Live pushes past a gap, by seq_no, waiting for the sync that fills it. */
  pending: Map<number, Envelope>;
  syncing: boolean;
}

/**
 * Exactly once, in order, per conversation. `cursor` is the last seq_no delivered to the app.
 * A live push right after the cursor is delivered; one at or before it is a duplicate and dropped;
 * one past a gap is held (bounded) and a sync from the cursor fills the gap. A sync page is
 * authoritative: its messages after the cursor are delivered even when seq_nos are missing
 * between them (history that retention removed), then held pushes that now follow are drained.
 */
export class Sequencer {
  private readonly convos = new Map<string, ConvoState>();
  private readonly maxPending: number;

  constructor(maxPending = 1000) {
    this.maxPending = maxPending;
  }

  has(convoId: string): boolean {
    return this.convos.has(convoId);
  }

  cursor(convoId: string): number | undefined {
    return this.convos.get(convoId)?.cursor;
  }

  cursors(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, s] of this.convos) out[id] = s.cursor;
    return out;
  }

  convoIds(): string[] {
    return [...this.convos.keys()];
  }

  /** Start tracking a conversation after `afterSeq`; a known one keeps the higher cursor. */
  track(convoId: string, afterSeq: number): void {
    const s = this.convos.get(convoId);
    if (s) {
      if (afterSeq > s.cursor) {
        s.cursor = afterSeq;
        for (const seq of [...s.pending.keys()]) if (seq <= afterSeq) s.pending.delete(seq);
      }
      return;
    }
    this.convos.set(convoId, { cursor: afterSeq, pending: new Map(), syncing: false });
  }

  untrack(convoId: string): void {
    this.convos.delete(convoId);
  }

  /** A sync request for this conversation was sent (true) or answered/abandoned (false). */
  setSyncing(convoId: string, syncing: boolean): void {
    const s = this.convos.get(convoId);
    if (s) s.syncing = syncing;
  }

  isSyncing(convoId: string): boolean {
    return this.convos.get(convoId)?.syncing ?? false;
  }

  /** A live `message.create`. An untracked conversation starts at this message. */
  push(env: Envelope): SequencerResult {
    let s = this.convos.get(env.convo_id);
    if (!s) {
      this.track(env.convo_id, env.seq_no - 1);
      s = this.convos.get(env.convo_id)!;
    }
    if (env.seq_no <= s.cursor) return { deliver: [] };
    if (env.seq_no === s.cursor + 1) {
      s.cursor = env.seq_no;
      const deliver = [env, ...this.drain(s)];
      return s.pending.size > 0 && !s.syncing ? { deliver, syncFrom: s.cursor } : { deliver };
    }
    if (s.pending.size < this.maxPending) s.pending.set(env.seq_no, env);
    // Past the bound the push is dropped: the sync from the cursor brings it back.
    return s.syncing ? { deliver: [] } : { deliver: [], syncFrom: s.cursor };
  }

  /** A `sync.result` page for a sync sent from `afterSeq`. */
  syncPage(convoId: string, afterSeq: number, messages: Envelope[], hasMore: boolean): SequencerResult {
    const s = this.convos.get(convoId);
    if (!s) return { deliver: [] };
    s.syncing = false;
    const deliver: Envelope[] = [];
    // A page for an older cursor than ours still holds valid messages: those past the cursor.
    // A page sent from before a hole we cannot see must not skip messages we never had:
    // only accept gaps inside a page that started at or before our cursor.
    if (afterSeq <= s.cursor) {
      for (const env of [...messages].sort((a, b) => a.seq_no - b.seq_no)) {
        if (env.seq_no <= s.cursor) continue;
        s.cursor = env.seq_no;
        s.pending.delete(env.seq_no);
        deliver.push(env);
      }
    }
    for (const seq of [...s.pending.keys()]) if (seq <= s.cursor) s.pending.delete(seq);
    deliver.push(...this.drain(s));
    if (hasMore || s.pending.size > 0 || afterSeq > s.cursor) return { deliver, syncFrom: s.cursor };
    return { deliver };
  }

  private drain(s: ConvoState): Envelope[] {
    const out: Envelope[] = [];
    for (;;) {
      const next = s.pending.get(s.cursor + 1);
      if (!next) break;
      s.pending.delete(next.seq_no);
      s.cursor = next.seq_no;
      out.push(next);
    }
    return out;
  }
}
