import type { IErrorInfo, IReply } from '../protocol';

/** A request the kernel answered with `ok: false` (or that never got an answer). */
export class RequestError extends Error {
  constructor(
    readonly info: IErrorInfo,
    readonly reply: IReply | null = null
  ) {
    super(info.message);
    this.name = 'RequestError';
  }

  /** The error code (`ERROR_CODES` of the protocol, or `timeout` / `disconnected`). */
  get code(): string {
    return this.info.code;
  }
}

/** An error of the editor side, shaped like the kernel's. */
export function localError(code: string, message: string): RequestError {
  return new RequestError({ code, message, node_id: null, port: null });
}
