/**
 * Messages between the dashboard widget's kernel side (`jno_lab.widgets.Dashboard`)
 * and this front end. Column data travels as little-endian float64 buffers, field
 * frames as float32 buffers.
 */

/** A bokeh JSON item (`bokeh.embed.json_item`). */
export type BokehItem = Record<string, unknown>;

export interface ILayoutMessage {
  type: 'layout';
  layout: number;
  item: BokehItem;
  /** Rows of every appendable source the layout already holds. */
  lengths: Record<string, number>;
}

export interface IAppendMessage {
  type: 'append';
  layout: number;
  /** Row at which each source's new rows start. */
  starts: Record<string, number>;
  /** Source -> column -> index of its buffer. */
  sources: Record<string, Record<string, number>>;
}

export interface IFieldMessage {
  type: 'field';
  layout: number;
  step: number;
  names: string[];
  shapes: number[][];
  times: number[];
}

export interface IBokehScriptMessage {
  type: 'bokeh-js';
  version: string;
}

export type KernelMessage =
  ILayoutMessage | IAppendMessage | IFieldMessage | IBokehScriptMessage;

/** A message with the binary buffers that came with it. */
export interface IReceived<M extends KernelMessage = KernelMessage> {
  message: M;
  buffers: DataView[];
}

/** Progress, as the kernel keeps it in the `status` trait. */
export interface IStatus {
  /**
   * "idle", "running", "pausing", "paused", "stopped", "finished" or
   * "nonfinite" (the run stopped at a NaN or infinite step).
   */
  state?: string;
  /** Why the run ended, e.g. "non-finite at step 1234 (pde)"; empty otherwise. */
  message?: string;
  phase?: number;
  step?: number;
  total?: number | null;
  rate?: number;
  elapsed?: number;
  eta?: number | null;
}

/** The part of an anywidget model this front end uses. */
export interface IModel {
  get(name: string): unknown;
  set(name: string, value: unknown): void;
  save_changes(): void;
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[]): void;
  on(event: string, callback: (...args: never[]) => void): void;
  off(event: string, callback: (...args: never[]) => void): void;
}

/** Float64 columns of a buffer set. */
export function columnsOf(
  spec: Record<string, number>,
  buffers: DataView[]
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [column, index] of Object.entries(spec)) {
    const view = buffers[index];
    const values = new Float64Array(
      view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength)
    );
    out[column] = Array.from(values);
  }
  return out;
}

/** One field's frames (T, ...shape) as float32 rows. */
export function framesOf(view: DataView, shape: number[]): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  return new Float32Array(
    view.buffer.slice(view.byteOffset, view.byteOffset + count * 4)
  );
}
