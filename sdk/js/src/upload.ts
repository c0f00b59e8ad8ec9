import { ServerError, UploadError, type UploadState } from './errors.js';
import type { FetchLike, Rest } from './rest.js';
import type { Attachment } from './types.js';

/** What upload() accepts: a browser File/Blob, or bytes (Node Buffer, Uint8Array, ArrayBuffer). */
export type UploadSource = Blob | Uint8Array | ArrayBuffer;

export interface UploadProgress {
  key: string;
  loaded: number;
  total: number;
  /** The multipart part just finished, if any. */
  part?: number;
}

export interface UploadOptions {
  /** Defaults to the File's name; required for bytes. */
  filename?: string;
  /** Defaults to the Blob's type, else application/octet-stream. */
  contentType?: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
  /** Attempts per part (or single PUT) before giving up (default 3). */
  attempts?: number;
  /** Called once the multipart upload exists, with the state to resume it from. */
  onState?: (state: UploadState) => void;
}

interface PartUrl {
  part_number: number;
  upload_url: string;
}
interface StartAnswer {
  key: string;
  upload_url?: string;
  upload_id?: string;
  part_bytes?: number;
  parts?: PartUrl[];
  expires_ms: number;
}
interface PartsAnswer {
  done: { part_number: number; etag: string; size: number }[];
  parts: PartUrl[];
}

function byteSize(src: UploadSource): number {
  if (src instanceof ArrayBuffer) return src.byteLength;
  if (ArrayBuffer.isView(src)) return src.byteLength;
  return (src as Blob).size;
}

function slice(src: UploadSource, start: number, end: number): Blob | Uint8Array {
  if (src instanceof ArrayBuffer) return new Uint8Array(src, start, end - start);
  if (ArrayBuffer.isView(src)) return (src as Uint8Array).subarray(start, end);
  return (src as Blob).slice(start, end);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Uploader {
  constructor(
    private readonly rest: Rest,
    private readonly fetchImpl: FetchLike,
  ) {}

  async upload(convoId: string, file: UploadSource, opts: UploadOptions = {}): Promise<Attachment> {
    const size = byteSize(file);
    const filename = opts.filename ?? (file as { name?: string }).name;
    if (!filename) throw new UploadError('upload: a filename is needed for bytes (options.filename)', { code: 'bad_request' });
    const contentType = opts.contentType || (file as Blob).type || 'application/octet-stream';
    let start: StartAnswer;
    try {
      start = await this.rest.call<StartAnswer>('POST', '/v1/attachments', {
        convo_id: convoId,
        filename,
        content_type: contentType,
        size,
      });
    } catch (err) {
      throw this.wrap(err, 'could not start the upload');
    }
    if (start.upload_url) {
      await this.put(start.upload_url, slice(file, 0, size), opts, contentType, undefined, 'the upload');
      opts.onProgress?.({ key: start.key, loaded: size, total: size });
      return { key: start.key, filename, content_type: contentType, size };
    }
    if (!start.upload_id || !start.part_bytes || !start.parts)
      throw new UploadError('the server answered neither upload_url nor upload_id/part_bytes/parts', { code: 'internal' });
    const state: UploadState = {
      key: start.key,
      uploadId: start.upload_id,
      convoId,
      filename,
      contentType,
      size,
      partBytes: start.part_bytes,
    };
    opts.onState?.(state);
    return this.uploadParts(state, file, start.parts, [], opts);
  }

  async resume(state: UploadState, file: UploadSource, opts: UploadOptions = {}): Promise<Attachment> {
    if (byteSize(file) !== state.size)
      throw new UploadError(`resumeUpload: the file has ${byteSize(file)} bytes, the upload ${state.size}`, { state, code: 'bad_request' });
    let answer: PartsAnswer;
    try {
      answer = await this.rest.call<PartsAnswer>(
        'GET',
        `/v1/attachments/parts?key=${encodeURIComponent(state.key)}&upload_id=${encodeURIComponent(state.uploadId)}`,
      );
    } catch (err) {
      throw this.wrap(err, 'could not list the uploaded parts', state);
    }
    return this.uploadParts(state, file, answer.parts, answer.done.map((d) => ({ part_number: d.part_number, etag: d.etag })), opts);
  }

  async abort(state: UploadState): Promise<void> {
    try {
      await this.rest.call('POST', '/v1/attachments/abort', { key: state.key, upload_id: state.uploadId });
    } catch (err) {
      throw this.wrap(err, 'could not abort the upload', state);
    }
  }

  private async uploadParts(
    state: UploadState,
    file: UploadSource,
    urls: PartUrl[],
    done: { part_number: number; etag: string }[],
    opts: UploadOptions,
  ): Promise<Attachment> {
    const count = Math.max(1, Math.ceil(state.size / state.partBytes));
    const etags = new Map<number, string>(done.map((d) => [d.part_number, d.etag]));
    const partSize = (n: number) => Math.min(n * state.partBytes, state.size) - (n - 1) * state.partBytes;
    let loaded = 0;
    for (const n of etags.keys()) loaded += partSize(n);
    opts.onProgress?.({ key: state.key, loaded, total: state.size });
    for (const part of [...urls].sort((a, b) => a.part_number - b.part_number)) {
      const n = part.part_number;
      if (etags.has(n)) continue;
      if (n < 1 || n > count) throw new UploadError(`the server named part ${n} of ${count}`, { state, code: 'internal' });
      const body = slice(file, (n - 1) * state.partBytes, Math.min(n * state.partBytes, state.size));
      const etag = await this.put(part.upload_url, body, opts, undefined, state, `part ${n}`);
      if (!etag) throw new UploadError(`part ${n}: the storage answered no ETag header`, { state });
      etags.set(n, etag);
      loaded += partSize(n);
      opts.onProgress?.({ key: state.key, loaded, total: state.size, part: n });
    }
    for (let n = 1; n <= count; ++n)
      if (!etags.has(n)) throw new UploadError(`part ${n} is neither done nor offered an upload URL`, { state, code: 'internal' });
    let finished: { key: string; size: number };
    try {
      finished = await this.rest.call('POST', '/v1/attachments/complete', {
        key: state.key,
        upload_id: state.uploadId,
        parts: [...etags.entries()].sort((a, b) => a[0] - b[0]).map(([part_number, etag]) => ({ part_number, etag })),
      });
    } catch (err) {
      throw this.wrap(err, 'could not complete the upload', state);
    }
    return { key: finished.key ?? state.key, filename: state.filename, content_type: state.contentType, size: finished.size ?? state.size };
  }

  /** PUT with retries; answers the ETag header. */
  private async put(
    url: string,
    body: Blob | Uint8Array,
    opts: UploadOptions,
    contentType: string | undefined,
    state: UploadState | undefined,
    what: string,
  ): Promise<string | null> {
    const attempts = Math.max(1, opts.attempts ?? 3);
    let last = '';
    let lastStatus: number | undefined;
    for (let i = 0; i < attempts; ++i) {
      if (opts.signal?.aborted) throw new UploadError(`${what}: aborted`, { state, code: 'aborted' });
      if (i > 0) await sleep(300 * Math.pow(2, i - 1));
      try {
        const res = await this.fetchImpl(url, {
          method: 'PUT',
          headers: contentType ? { 'Content-Type': contentType } : {},
          body,
          signal: opts.signal,
        });
        const text = await res.text();
        if (res.ok) return res.headers.get('etag');
        last = `HTTP ${res.status} ${text.slice(0, 200)}`;
        lastStatus = res.status;
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) break;
      } catch (err) {
        if (opts.signal?.aborted) throw new UploadError(`${what}: aborted`, { state, code: 'aborted' });
        last = String(err);
      }
    }
    throw new UploadError(`${what} failed after retries: ${last}`, { state, status: lastStatus });
  }

  private wrap(err: unknown, what: string, state?: UploadState): UploadError {
    if (err instanceof UploadError) return err;
    if (err instanceof ServerError)
      return new UploadError(`${what}: ${err.code}: ${err.message}`, { state, status: err.status, code: err.code });
    return new UploadError(`${what}: ${String(err)}`, { state });
  }
}
