// Wire shapes of protocol v1 (docs/protocol.md), as the server sends them (snake_case).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Attachment {
  key: string;
  filename: string;
  content_type: string;
  size: number;
}

/** A message as the server stores and pushes it. */
export interface Envelope {
  server_msg_id: string;
  convo_id: string;
  seq_no: number;
  sender_id: string;
  client_msg_id: string;
  ts: number;
  content: Json;
  attachments?: Attachment[];
}

/** The answer to a send (the `message.ack` frame without `type` and `req`). */
export interface SendAck {
  status: 'ok';
  server_msg_id: string;
  seq_no: number;
  ts: number;
  duplicate: boolean;
  /** The send's client_msg_id (added by the SDK). */
  client_msg_id: string;
  /** The conversation (added by the SDK). */
  convo_id: string;
}

export interface ConnectionAck {
  session_id: string;
  user_id: string;
  app_id: string;
  node_id: string;
  heartbeat_ms: number;
  server_time: number;
}

export interface Conversation {
  id: string;
  kind: 'direct' | 'group';
  title?: string | null;
  owner_id?: string;
  members: string[];
  created_ms?: number;
  last_seq: number;
  unread?: number;
}

export interface ReceiptEvent {
  convo_id: string;
  user_id: string;
  seq_no: number;
}

export interface TypingEvent {
  convo_id: string;
  user_id: string;
  state: 'start' | 'stop';
}

export interface PresenceEvent {
  user_id: string;
  status: 'online' | 'offline';
  last_seen_ms: number;
}

export interface ConversationEvent {
  convo_id: string;
  change: 'member_added' | 'member_removed' | string;
  user_id: string;
}

export interface NoticeEvent {
  code: string;
  message: string;
  grace_ms?: number;
}

export interface HistoryPage {
  messages: Envelope[];
  nextPageToken: string | null;
}

export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
