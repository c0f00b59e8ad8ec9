// Every failure the SDK reports is one of these; nothing fails silently (a background failure
// with no promise waiting is emitted as the client's 'error' event).

export class ConfabError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ConfabError';
    this.code = code;
  }
}

/** The server answered an `error` frame or a REST error (protocol section 7). */
export class ServerError extends ConfabError {
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly req?: string;
  constructor(code: string, message: string, extra: { status?: number; retryAfterMs?: number; req?: string } = {}) {
    super(code, message);
    this.name = 'ServerError';
    this.status = extra.status;
    this.retryAfterMs = extra.retryAfterMs;
    this.req = extra.req;
  }
}

/** The token was refused (close 4001 before `connection.ack`, REST 401) or the token callback failed. */
export class AuthError extends ConfabError {
  readonly closeCode?: number;
  constructor(message: string, closeCode?: number) {
    super('unauthorized', message);
    this.name = 'AuthError';
    this.closeCode = closeCode;
  }
}

/** The socket closed (or was never open) while a request waited for its answer. */
export class ConnectionError extends ConfabError {
  readonly closeCode?: number;
  constructor(message: string, closeCode?: number) {
    super('connection', message);
    this.name = 'ConnectionError';
    this.closeCode = closeCode;
  }
}

/** The client was closed with `close()`. */
export class ClosedError extends ConfabError {
  constructor(message = 'the client is closed') {
    super('closed', message);
    this.name = 'ClosedError';
  }
}

/** No answer within `requestTimeoutMs`. */
export class TimeoutError extends ConfabError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'TimeoutError';
  }
}

/** Upload state that `resumeUpload()` continues from: plain JSON, store it anywhere. */
export interface UploadState {
  key: string;
  uploadId: string;
  convoId: string;
  filename: string;
  contentType: string;
  size: number;
  partBytes: number;
}

/** An upload step failed; `state` (multipart uploads) resumes it with `resumeUpload()`. */
export class UploadError extends ConfabError {
  readonly state?: UploadState;
  readonly status?: number;
  constructor(message: string, extra: { state?: UploadState; status?: number; code?: string } = {}) {
    super(extra.code ?? 'upload_failed', message);
    this.name = 'UploadError';
    this.state = extra.state;
    this.status = extra.status;
  }
}

/** Errors after which resending the same message can never succeed. */
export function isFinalSendError(code: string): boolean {
  return code !== 'rate_limited' && code !== 'unavailable';
}
