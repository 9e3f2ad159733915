import * as React from 'react';

import type { RunController } from '../model/runController';
import type { IRunStatus } from '../protocol';
import { useSignal } from './useSignal';

/** Props of {@link RunBar}. */
export interface IRunBarProps {
  runs: RunController;
  /** Export the document to a Python script. */
  onExport: () => void;
  /** Write the document as a notebook and open it. */
  onNotebook: () => void;
  /** Why the last export failed, or where it wrote (empty when none). */
  exportMessage: string;
}

function formatLoss(value: number | null): string {
  return value === null ? '–' : value.toExponential(3);
}

/** One line describing a run status. */
export function describeStatus(status: IRunStatus | null): string {
  if (!status) {
    return 'Not run yet';
  }
  const parts: string[] = [status.state];
  if (status.phases > 1) {
    parts.push(`phase ${status.phase + 1}/${status.phases}`);
  }
  if (status.total_steps) {
    parts.push(`step ${status.step}/${status.total_steps}`);
  }
  parts.push(`loss ${formatLoss(status.total_loss)}`);
  if (status.elapsed_s) {
    parts.push(`${status.elapsed_s.toFixed(1)} s`);
  }
  return parts.join(' · ');
}

/** Run / Pause / Resume / Stop and Export, with the run's status. */
export function RunBar(props: IRunBarProps): JSX.Element {
  const { runs } = props;
  useSignal(runs.changed, () => runs.status);
  const status = runs.status;
  const state = status?.state ?? 'idle';
  const active = runs.active;
  const fraction =
    status && status.total_steps ? status.step / status.total_steps : 0;
  const nonFinite = runs.nonFinite;
  const failure = nonFinite
    ? `: ${nonFinite.short}`
    : status?.error
      ? `: ${status.error.type}: ${status.error.message}`
      : '';
  return (
    <div className="jp-JnoLab-runBar" role="toolbar" aria-label="Run">
      <button
        type="button"
        className="jp-JnoLab-button jp-mod-accept"
        title="Validate, build and train the document in the kernel"
        disabled={active || runs.busy}
        onClick={() => void runs.run()}
      >
        ▶ Run
      </button>
      {state === 'paused' ? (
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Resume the paused run"
          disabled={runs.busy}
          onClick={() => void runs.resume()}
        >
          Resume
        </button>
      ) : (
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Pause the run at the next chunk"
          disabled={state !== 'running' || runs.busy}
          onClick={() => void runs.pause()}
        >
          Pause
        </button>
      )}
      <button
        type="button"
        className="jp-JnoLab-button jp-mod-warn"
        title="Stop the run at the next chunk"
        disabled={!active || runs.busy}
        onClick={() => void runs.stop()}
      >
        ■ Stop
      </button>
      <span
        className={`jp-JnoLab-runStatus jp-mod-${state}`}
        data-state={state}
        data-nonfinite={nonFinite ? 'true' : undefined}
        title={nonFinite?.message ?? status?.error?.message ?? ''}
      >
        {describeStatus(status)}
        {failure}
      </span>
      <progress
        className="jp-JnoLab-runProgress"
        max={1}
        value={fraction}
        aria-label="Training progress"
      />
      {runs.error && (
        <span className="jp-JnoLab-runError" role="alert">
          {runs.error}
        </span>
      )}
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Write the document as a Python script next to it, and open it"
        onClick={props.onExport}
      >
        Export to Python
      </button>
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Write the document as a notebook next to it (script cells and the live dashboard), and open it"
        aria-label="Open as notebook"
        onClick={props.onNotebook}
      >
        Open as notebook
      </button>
      {props.exportMessage && (
        <span className="jp-JnoLab-exportMessage">{props.exportMessage}</span>
      )}
    </div>
  );
}
