/**
 * The workbench kernel protocol (mirror of `jno_lab/workbench/protocol.py`).
 */
import type { IWorkbenchDocument } from './document/types';

/**
 * Protocol version this editor speaks (sent in `hello`).
 *
 * 2: tag predicates and custom functions are grammar expressions; `run`
 * refuses untrusted code ("untrusted"), `trust` trusts it, `validate` lists it.
 */
export const PROTOCOL_VERSION = 2;

/** Comm target registered by `jno_lab.workbench.kernel.register()`. */
export const COMM_TARGET = 'jno_lab.workbench';

/** Code run silently in the kernel before the comm is opened. */
export const REGISTER_CODE =
  'from jno_lab.workbench.kernel import register as _jno_lab_register\n' +
  '_jno_lab_register()\n' +
  'del _jno_lab_register';

/** Display MIME type asking the editor to open a document. */
export const OPEN_MIME = 'application/vnd.jno-lab.open+json';

/** A structured error of a failed request. */
export interface IErrorInfo {
  code: string;
  message: string;
  node_id: string | null;
  port: string | null;
}

/** One validation problem. */
export interface IProblem {
  code: string;
  message: string;
  node_id: string | null;
  port: string | null;
}

/** Why a run failed (`type` "NonFinite" when training went NaN/Inf). */
export interface IRunError {
  type: string;
  message: string;
  traceback: string;
}

/** Where a run went non-finite (NaN or Inf) and stopped. */
export interface INonFinite {
  /** The global step whose losses or update were not finite (it was not applied). */
  step: number;
  /** The constraints whose loss was not finite (empty when `where` is "parameters"). */
  constraints: string[];
  /** "loss": a loss was not finite; "parameters": the update made them non-finite. */
  where: 'loss' | 'parameters';
  /** The Constraint nodes of `constraints` (runs started from the editor). */
  node_ids?: string[];
  /** The per-constraint losses of that step (null where not finite). */
  losses?: (number | null)[];
}

/** A node whose text runs as Python: what the user reads before trusting. */
export interface ICodeNode {
  node_id: string;
  /** The node's label, or its type's title. */
  title: string;
  /** The parameter holding the code ("expression"). */
  field: string;
  /** The code, verbatim. */
  code: string;
}

/** States of the training session. */
export type RunState =
  | 'idle'
  | 'running'
  | 'paused'
  | 'stopping'
  | 'finished'
  | 'stopped'
  | 'failed';

/** A snapshot of the training session. */
export interface IRunStatus {
  state: RunState;
  phase: number;
  phases: number;
  step: number;
  total_steps: number;
  elapsed_s: number;
  eta_s: number | null;
  losses: number[];
  total_loss: number | null;
  error: IRunError | null;
  /** Set when the run stopped at a non-finite step. */
  nonfinite?: INonFinite | null;
}

/** Fields of every reply. */
export interface IReply {
  id: string | null;
  type: string;
  ok: boolean;
  error?: IErrorInfo;
  problems?: IProblem[];
  details?: string;
  /** The code nodes of the document, for "untrusted" errors. */
  code_nodes?: ICodeNode[];
}

/** Reply to `hello`. */
export interface IHelloReply extends IReply {
  protocol: number;
  version: string;
}

/** Reply to `validate`. */
export interface IValidateReply extends IReply {
  problems: IProblem[];
  /** The nodes whose text runs as Python. */
  code_nodes: ICodeNode[];
  /** Whether that code is trusted (true when there is none). */
  trusted: boolean;
}

/** Reply to `trust`: the document's code is trusted from now on. */
export interface ITrustReply extends IReply {
  /** SHA-256 of the document's code. */
  digest: string;
  trusted: boolean;
}

/** One binary buffer of a geometry preview. */
export interface IBufferInfo {
  tag: string;
  shape: [number, number];
}

/** The domain outline: a GeoJSON MultiPolygon (2-D) or an interval (1-D). */
export interface IOutline {
  type: 'MultiPolygon' | 'Interval';
  coordinates: unknown;
}

/** Reply to `preview_geometry`. */
export interface IPreviewReply extends IReply {
  dimension: number;
  outline: IOutline;
  bounds: (number | null)[];
  tags: Record<string, number>;
  buffers: IBufferInfo[];
  truncated: string[];
}

/** Reply to `run`. */
export interface IRunReply extends IReply {
  started: boolean;
  status: IRunStatus;
  dashboard?: string;
}

/** Reply to `status`, `stop`, `pause`, `resume`. */
export interface IStatusReply extends IReply {
  status: IRunStatus;
}

/** Reply to `export`. */
export interface IExportReply extends IReply {
  source: string;
}

/** One JAX device of the kernel. */
export interface IDeviceInfo {
  platform: string;
  id: number;
  kind: string;
  process_index: number;
}

/** Reply to `devices`. */
export interface IDevicesReply extends IReply {
  devices: IDeviceInfo[];
  backend: string;
  process_count: number;
}

/** Reply to `notebook`: an nbformat 4 notebook. */
export interface INotebookReply extends IReply {
  notebook: Record<string, unknown>;
}

/** A `run.event` push. */
export interface IRunEvent {
  type: 'run.event';
  event: string;
  status: IRunStatus;
}

/** Requests and the fields they carry. */
export interface IRequests {
  hello: { protocol: number };
  catalogue: Record<string, never>;
  validate: { document: IWorkbenchDocument };
  preview_geometry: { document: IWorkbenchDocument };
  run: { document: IWorkbenchDocument; dashboard?: boolean };
  trust: { document: IWorkbenchDocument };
  stop: Record<string, never>;
  pause: Record<string, never>;
  resume: Record<string, never>;
  status: Record<string, never>;
  export: { document: IWorkbenchDocument };
  devices: Record<string, never>;
  notebook: { document: IWorkbenchDocument; name?: string };
}

/** The reply type of each request. */
export interface IReplies {
  hello: IHelloReply;
  catalogue: IReply;
  validate: IValidateReply;
  preview_geometry: IPreviewReply;
  run: IRunReply;
  trust: ITrustReply;
  stop: IStatusReply;
  pause: IStatusReply;
  resume: IStatusReply;
  status: IStatusReply;
  export: IExportReply;
  devices: IDevicesReply;
  notebook: INotebookReply;
}

/** A reply together with the binary buffers of its message. */
export interface IReplyWithBuffers<T extends IReply> {
  reply: T;
  buffers: DataView[];
}
