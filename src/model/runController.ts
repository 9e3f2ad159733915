/**
 * Drives training runs through the kernel: run (with a live dashboard),
 * stop, pause, resume; follows `run.event` pushes. A run the kernel refuses
 * because the document's code is not trusted asks for a code review.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import type { WorkbenchClient } from '../kernel/client';
import { RequestError } from '../kernel/errors';
import type { INonFinite, IProblem, IRunStatus } from '../protocol';
import type { ICodeReview } from './codeTrust';
import type { WorkbenchModel } from './workbenchModel';

/** Milliseconds a `run` request may take (it builds the networks first). */
const RUN_TIMEOUT_MS = 300_000;

/** States in which a run is active. */
export const ACTIVE_STATES = ['running', 'paused', 'stopping'];

/** Runs the document of a model in the kernel and follows the run. */
export class RunController {
  constructor(model: WorkbenchModel, client: WorkbenchClient) {
    this._model = model;
    this._client = client;
    client.runEvent.connect((_, event) => {
      this._lastEvent = event.event;
      this._setStatus(event.status);
    }, this);
    client.connected.connect(() => void this._refresh(), this);
  }

  /** The last status seen (null before any). */
  get status(): IRunStatus | null {
    return this._status;
  }

  /** The last run event name ("started", "progress", "finished", ...). */
  get lastEvent(): string {
    return this._lastEvent;
  }

  /** Why the last action failed (empty when it did not). */
  get error(): string {
    return this._error;
  }

  /** Whether a request is on its way (buttons wait). */
  get busy(): boolean {
    return this._busy;
  }

  /** Whether a run is active. */
  get active(): boolean {
    return !!this._status && ACTIVE_STATES.includes(this._status.state);
  }

  /** Emitted on any change of status, error or busy. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Emitted with the model id of the dashboard widget of a new run. */
  get dashboardCreated(): ISignal<this, string> {
    return this._dashboardCreated;
  }

  /**
   * Emitted when the kernel refused to run because the document's code is not
   * trusted: the refused document and its code nodes, to review.
   */
  get trustRequired(): ISignal<this, ICodeReview> {
    return this._trustRequired;
  }

  /** Start a run of the current document, with a live dashboard. */
  async run(): Promise<void> {
    const document = this._model.document;
    let refused: ICodeReview | null = null;
    await this._act(async () => {
      try {
        const { reply } = await this._client.request(
          'run',
          { document, dashboard: true },
          { timeoutMs: RUN_TIMEOUT_MS }
        );
        this._lastEvent = 'started';
        this._setStatus(reply.status);
        if (reply.dashboard) {
          this._dashboardCreated.emit(reply.dashboard);
        }
      } catch (error) {
        if (error instanceof RequestError && error.code === 'untrusted') {
          refused = {
            document,
            codeNodes: error.reply?.code_nodes ?? [],
            reason: 'run'
          };
        }
        throw error;
      }
    });
    if (refused) {
      this._trustRequired.emit(refused);
    }
  }

  /** Why the last run failed when it went non-finite (NaN/Inf); null otherwise. */
  get nonFinite(): INonFiniteReport | null {
    return nonFiniteReport(this._status);
  }

  async stop(): Promise<void> {
    await this._control('stop');
  }

  async pause(): Promise<void> {
    await this._control('pause');
  }

  async resume(): Promise<void> {
    await this._control('resume');
  }

  dispose(): void {
    Signal.clearData(this);
  }

  private async _control(type: 'stop' | 'pause' | 'resume'): Promise<void> {
    await this._act(async () => {
      const { reply } = await this._client.request(type, {});
      this._setStatus(reply.status);
    });
  }

  private async _refresh(): Promise<void> {
    try {
      const { reply } = await this._client.request('status', {});
      this._setStatus(reply.status);
    } catch {
      // the status is refreshed by the next event
    }
  }

  private async _act(action: () => Promise<void>): Promise<void> {
    this._busy = true;
    this._error = '';
    this._changed.emit();
    try {
      await action();
    } catch (error) {
      this._error = describe(error);
      if (error instanceof RequestError && error.reply?.problems) {
        this._model.setProblems(error.reply.problems as IProblem[]);
      }
    } finally {
      this._busy = false;
      this._changed.emit();
    }
  }

  private _setStatus(status: IRunStatus): void {
    this._status = status;
    this._changed.emit();
  }

  private _model: WorkbenchModel;
  private _client: WorkbenchClient;
  private _status: IRunStatus | null = null;
  private _lastEvent = '';
  private _error = '';
  private _busy = false;
  private _changed = new Signal<this, void>(this);
  private _dashboardCreated = new Signal<this, string>(this);
  private _trustRequired = new Signal<this, ICodeReview>(this);
}

/** What the editor says of a run that went non-finite. */
export interface INonFiniteReport {
  /** The step that was not finite (null when the kernel did not say). */
  step: number | null;
  /** One line for the status: "not finite at step 7 (pde)". */
  short: string;
  /** The whole message: what happened, what was kept, what to try. */
  message: string;
}

/**
 * The report of a run that stopped because training went non-finite (NaN or
 * Inf): from `status.nonfinite` when the kernel sends it, else from an error
 * of type "NonFinite"; null for any other status.
 */
export function nonFiniteReport(
  status: IRunStatus | null
): INonFiniteReport | null {
  if (!status) {
    return null;
  }
  const record: INonFinite | null | undefined = status.nonfinite;
  if (!record) {
    if (status.error?.type !== 'NonFinite') {
      return null;
    }
    return {
      step: null,
      short: 'not finite (NaN or Inf)',
      message: `Training diverged: ${status.error.message}`
    };
  }
  const names = record.constraints.join(', ');
  const what =
    record.where === 'parameters'
      ? 'its update made the parameters NaN or infinite'
      : `the loss of ${names ? `constraint ${names}` : 'a constraint'} was NaN or infinite`;
  return {
    step: record.step,
    short: `not finite at step ${record.step}${names ? ` (${names})` : ''}`,
    message:
      `Training diverged at step ${record.step}: ${what}. The run stopped ` +
      'there and kept the parameters from before that step. Try a smaller ' +
      'learning rate, gradient clipping or rescaled losses.'
  };
}

function describe(error: unknown): string {
  if (error instanceof RequestError && error.code === 'untrusted') {
    return 'Not run: the Python code of this document is not trusted yet. Review it to run.';
  }
  if (error instanceof RequestError) {
    const where = error.info.node_id ? ` (node ${error.info.node_id})` : '';
    return `${error.message}${where}`;
  }
  return error instanceof Error ? error.message : String(error);
}
