/**
 * Validation by the kernel: a `validate` request, debounced after edits, whose
 * problems go to the model (and what it says of the document's code, to the
 * code trust).
 */
import { type ISignal, Signal } from '@lumino/signaling';

import type { WorkbenchClient } from '../kernel/client';
import type { CodeTrust } from './codeTrust';
import type { WorkbenchModel } from './workbenchModel';

/** Where validation stands. */
export type ValidationState =
  'waiting' | 'checking' | 'valid' | 'invalid' | 'unavailable';

/** Milliseconds of quiet after an edit before the document is validated. */
export const VALIDATE_DEBOUNCE_MS = 300;

/** Validates the document of a model through a client, after every change. */
export class Validator {
  constructor(
    model: WorkbenchModel,
    client: WorkbenchClient,
    trust: CodeTrust | null = null
  ) {
    this._model = model;
    this._client = client;
    this._trust = trust;
    model.changed.connect(this.schedule, this);
    client.connected.connect(this.schedule, this);
    client.stateChanged.connect(this._onConnection, this);
    if (client.state === 'ready') {
      this.schedule();
    }
  }

  /** The current state. */
  get state(): ValidationState {
    return this._state;
  }

  /** Why validation is unavailable (empty otherwise). */
  get message(): string {
    return this._message;
  }

  get stateChanged(): ISignal<this, ValidationState> {
    return this._stateChanged;
  }

  /** Validate after the debounce delay. */
  schedule(): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(
      () => void this.validateNow(),
      VALIDATE_DEBOUNCE_MS
    );
  }

  /** Validate the current document now. */
  async validateNow(): Promise<void> {
    const generation = ++this._generation;
    const document = this._model.document;
    this._set('checking');
    try {
      const { reply } = await this._client.request('validate', { document });
      if (generation !== this._generation) {
        return;
      }
      this._model.setProblems(reply.problems);
      this._trust?.update(reply.code_nodes ?? [], reply.trusted ?? true);
      this._set(reply.problems.length ? 'invalid' : 'valid');
    } catch (error) {
      if (generation !== this._generation) {
        return;
      }
      this._set(
        'unavailable',
        error instanceof Error ? error.message : String(error)
      );
    }
  }

  dispose(): void {
    window.clearTimeout(this._timer);
    Signal.clearData(this);
  }

  private _onConnection(): void {
    if (this._client.state === 'no-kernel' || this._client.state === 'error') {
      this._set(
        'unavailable',
        this._client.errorMessage || 'no kernel: validation needs a kernel'
      );
    }
  }

  private _set(state: ValidationState, message = ''): void {
    this._state = state;
    this._message = message;
    this._stateChanged.emit(state);
  }

  private _model: WorkbenchModel;
  private _client: WorkbenchClient;
  private _trust: CodeTrust | null;
  private _timer = 0;
  private _generation = 0;
  private _state: ValidationState = 'waiting';
  private _message = '';
  private _stateChanged = new Signal<this, ValidationState>(this);
}
