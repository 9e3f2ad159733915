/**
 * The editor's side of the workbench comm: handshake, requests correlated by
 * id with timeouts, run-event pushes, and reconnection after kernel restarts.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate, UUID } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';

import type { IWorkbenchDocument } from '../document/types';
import {
  COMM_TARGET,
  type IReplies,
  type IReply,
  type IReplyWithBuffers,
  type IRequests,
  type IRunEvent,
  type ITrustReply,
  PROTOCOL_VERSION,
  REGISTER_CODE
} from '../protocol';
import { localError, RequestError } from './errors';

/** Connection states of a {@link WorkbenchClient}. */
export type ConnectionState =
  'no-kernel' | 'connecting' | 'ready' | 'error' | 'disposed';

/** Default time a request may take before it fails with `timeout`. */
const DEFAULT_TIMEOUT_MS = 60_000;

interface IPending {
  resolve: (value: IReplyWithBuffers<IReply>) => void;
  reject: (error: RequestError) => void;
  timer: number;
}

/** Options of {@link WorkbenchClient.request}. */
export interface IRequestOptions {
  /** Milliseconds before the request fails with code `timeout`. */
  timeoutMs?: number;
}

/**
 * A connection to the workbench comm target of the kernel of one session
 * context. It (re)connects by itself whenever the session gets a kernel or
 * its kernel restarts.
 */
export class WorkbenchClient implements IDisposable {
  constructor(sessionContext: ISessionContext) {
    this._sessionContext = sessionContext;
    sessionContext.kernelChanged.connect(this._onKernelChanged, this);
    sessionContext.statusChanged.connect(this._onStatusChanged, this);
    void sessionContext.ready.then(() => this._connect());
  }

  /** Emitted on every connection-state change. */
  get stateChanged(): ISignal<this, ConnectionState> {
    return this._stateChanged;
  }

  /** Emitted for every `run.event` push. */
  get runEvent(): ISignal<this, IRunEvent> {
    return this._runEvent;
  }

  /** Emitted after every successful handshake (first connect and reconnects). */
  get connected(): ISignal<this, void> {
    return this._connected;
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this._state;
  }

  /** Why the last connection attempt failed (empty when it did not). */
  get errorMessage(): string {
    return this._errorMessage;
  }

  /** The kernel's jno_lab version (from `hello`), empty before the handshake. */
  get kernelVersion(): string {
    return this._kernelVersion;
  }

  get isDisposed(): boolean {
    return this._state === 'disposed';
  }

  /**
   * Send a request once connected; resolves with the reply and its buffers,
   * rejects with a {@link RequestError} for error replies and timeouts.
   */
  async request<K extends keyof IRequests>(
    type: K,
    fields: IRequests[K],
    options: IRequestOptions = {}
  ): Promise<IReplyWithBuffers<IReplies[K]>> {
    const comm = await this._whenReady();
    return this._send(comm, type, fields, options) as Promise<
      IReplyWithBuffers<IReplies[K]>
    >;
  }

  /**
   * Trust the code of `document` (its code nodes, as `validate` lists them):
   * the kernel stores the digest of that code for this user, so the document
   * runs from now on until its code changes. Send exactly the document whose
   * code the user has read.
   */
  async trust(document: IWorkbenchDocument): Promise<ITrustReply> {
    const { reply } = await this.request('trust', { document });
    return reply;
  }

  /** Close the comm and stop reconnecting. */
  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._closeComm('the editor was closed');
    this._setState('disposed');
    Signal.clearData(this);
  }

  private async _whenReady(): Promise<Kernel.IComm> {
    if (this.isDisposed) {
      throw localError('disconnected', 'the editor was closed');
    }
    if (this._state === 'ready' && this._comm) {
      return this._comm;
    }
    if (this._state === 'no-kernel') {
      throw localError(
        'no_kernel',
        'no kernel: select a kernel with the kernel picker of the toolbar'
      );
    }
    if (this._state === 'error') {
      throw localError('disconnected', this._errorMessage);
    }
    return this._ready.promise;
  }

  private _send(
    comm: Kernel.IComm,
    type: string,
    fields: object,
    options: IRequestOptions
  ): Promise<IReplyWithBuffers<IReply>> {
    const id = UUID.uuid4();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this._pending.delete(id);
        reject(
          localError(
            'timeout',
            `the kernel did not answer "${type}" within ${Math.round(timeoutMs / 1000)} s`
          )
        );
      }, timeoutMs);
      this._pending.set(id, { resolve, reject, timer });
      comm.send({ id, type, ...fields } as never);
    });
  }

  private async _connect(): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const kernel = this._sessionContext.session?.kernel;
    this._closeComm('reconnecting');
    if (!kernel) {
      this._setState('no-kernel');
      return;
    }
    const attempt = ++this._attempt;
    this._setState('connecting');
    try {
      await this._register(kernel);
      if (attempt !== this._attempt) {
        return;
      }
      const comm = kernel.createComm(COMM_TARGET);
      comm.onMsg = msg => this._onMessage(msg);
      comm.onClose = () => {
        if (this._comm === comm) {
          this._comm = null;
          this._rejectPending('the kernel closed the workbench comm');
        }
      };
      comm.open();
      this._comm = comm;
      const { reply } = await this._send(
        comm,
        'hello',
        { protocol: PROTOCOL_VERSION },
        { timeoutMs: 30_000 }
      );
      if (attempt !== this._attempt) {
        return;
      }
      this._kernelVersion = (reply as IReplies['hello']).version;
      this._errorMessage = '';
      this._setState('ready');
      this._ready.resolve(comm);
      this._connected.emit();
    } catch (error) {
      if (attempt !== this._attempt) {
        return;
      }
      this._errorMessage =
        error instanceof Error ? error.message : String(error);
      this._setState('error');
      this._ready.reject(localError('disconnected', this._errorMessage));
      this._ready.promise.catch(() => undefined);
    }
  }

  /** Run `register()` silently; fails with the kernel's error text. */
  private async _register(kernel: Kernel.IKernelConnection): Promise<void> {
    const future = kernel.requestExecute(
      { code: REGISTER_CODE, silent: true, store_history: false },
      true
    );
    const reply = (await future.done) as KernelMessage.IExecuteReplyMsg;
    const content = reply.content;
    if (content.status === 'error') {
      throw new Error(
        `jno_lab could not be loaded in the kernel (${content.ename}: ${content.evalue}). ` +
          'Select a kernel whose environment has jno_lab installed.'
      );
    }
  }

  private _onMessage(msg: KernelMessage.ICommMsgMsg): void {
    const data = msg.content.data as unknown as IReply | IRunEvent;
    if (data && data.type === 'run.event') {
      this._runEvent.emit(data as IRunEvent);
      return;
    }
    const reply = data as IReply;
    const pending = reply.id ? this._pending.get(reply.id) : undefined;
    if (!pending) {
      return;
    }
    this._pending.delete(reply.id as string);
    window.clearTimeout(pending.timer);
    if (!reply.ok) {
      pending.reject(
        new RequestError(
          reply.error ?? {
            code: 'internal',
            message: 'error reply without an error',
            node_id: null,
            port: null
          },
          reply
        )
      );
      return;
    }
    const buffers = (msg.buffers ?? []).map(toDataView);
    pending.resolve({ reply, buffers });
  }

  private _onKernelChanged(): void {
    void this._sessionContext.ready.then(() => this._connect());
  }

  private _onStatusChanged(_: ISessionContext, status: Kernel.Status): void {
    if (status === 'restarting' || status === 'autorestarting') {
      this._restarting = true;
      this._closeComm('the kernel is restarting');
      this._setState('connecting');
    } else if (status === 'dead') {
      this._closeComm('the kernel died');
      this._errorMessage = 'the kernel died: restart it';
      this._setState('error');
    } else if (this._restarting && status === 'idle') {
      this._restarting = false;
      void this._connect();
    }
  }

  private _closeComm(reason: string): void {
    this._attempt++;
    const comm = this._comm;
    this._comm = null;
    if (comm && !comm.isDisposed) {
      try {
        comm.close();
      } catch {
        // the kernel is gone: nothing to close
      }
    }
    this._rejectPending(reason);
    if (this._state === 'ready') {
      this._ready = new PromiseDelegate<Kernel.IComm>();
    }
  }

  private _rejectPending(reason: string): void {
    for (const pending of this._pending.values()) {
      window.clearTimeout(pending.timer);
      pending.reject(localError('disconnected', reason));
    }
    this._pending.clear();
  }

  private _setState(state: ConnectionState): void {
    if (state === 'connecting' && this._state !== 'connecting') {
      if (this._state === 'error' || this._state === 'no-kernel') {
        this._ready = new PromiseDelegate<Kernel.IComm>();
      }
    }
    if (this._state !== state) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _sessionContext: ISessionContext;
  private _comm: Kernel.IComm | null = null;
  private _pending = new Map<string, IPending>();
  private _ready = new PromiseDelegate<Kernel.IComm>();
  private _state: ConnectionState = 'connecting';
  private _attempt = 0;
  private _restarting = false;
  private _errorMessage = '';
  private _kernelVersion = '';
  private _stateChanged = new Signal<this, ConnectionState>(this);
  private _runEvent = new Signal<this, IRunEvent>(this);
  private _connected = new Signal<this, void>(this);
}

function toDataView(buffer: ArrayBuffer | ArrayBufferView): DataView {
  if (buffer instanceof DataView) {
    return buffer;
  }
  if (ArrayBuffer.isView(buffer)) {
    return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  return new DataView(buffer);
}
