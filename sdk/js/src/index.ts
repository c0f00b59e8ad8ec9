export { ConfabClient, PROTOCOL_VERSION } from './client.js';
export type { ClientOptions, ClientEvents, SendOptions, SendRetryEvent } from './client.js';
export { Backoff } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { Sequencer } from './sequencer.js';
export type { SequencerResult } from './sequencer.js';
export { MemoryOutbox, IndexedDbOutbox, resendable } from './outbox.js';
export type { OutboxEntry, OutboxStore } from './outbox.js';
export {
  ConfabError,
  ServerError,
  AuthError,
  ConnectionError,
  ClosedError,
  TimeoutError,
  UploadError,
} from './errors.js';
export type { UploadState } from './errors.js';
export type { UploadOptions, UploadProgress, UploadSource } from './upload.js';
export type * from './types.js';
