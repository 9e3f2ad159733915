/**
 * The kernel's picture of the geometry: `preview_geometry` after geometry
 * edits (debounced), decoded into outline rings and sampled points per tag.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import type { IGeometry, Point } from '../document/types';
import type { WorkbenchClient } from '../kernel/client';
import type { IPreviewReply } from '../protocol';
import type { WorkbenchModel } from './workbenchModel';

/** A decoded preview. */
export interface IGeometryPreview {
  dimension: number;
  /** Polygons of rings (exterior first) of [x, y]; 2-D only. */
  polygons: Point[][][];
  /** The interval [x0, x1] of a 1-D domain. */
  interval: Point | null;
  bounds: (number | null)[];
  /** Sampled points per tag: flat rows of `columns[tag]` numbers each. */
  points: Map<string, Float32Array>;
  /** Numbers per point of each tag (x, y; or x, t for a 1-D problem in time). */
  columns: Map<string, number>;
  truncated: string[];
}

/** Milliseconds of quiet after a geometry edit before the preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 350;

/** Decode a `preview_geometry` reply and its buffers. */
export function decodePreview(
  reply: IPreviewReply,
  buffers: DataView[]
): IGeometryPreview {
  const points = new Map<string, Float32Array>();
  const columns = new Map<string, number>();
  reply.buffers.forEach((info, i) => {
    const view = buffers[i];
    if (!view) {
      return;
    }
    const count = info.shape[0] * (info.shape[1] ?? 1);
    const out = new Float32Array(count);
    for (let k = 0; k < count; k++) {
      out[k] = view.getFloat32(k * 4, true);
    }
    points.set(info.tag, out);
    columns.set(info.tag, info.shape[1] ?? 1);
  });
  const isInterval = reply.outline.type === 'Interval';
  return {
    dimension: reply.dimension,
    polygons: isInterval ? [] : (reply.outline.coordinates as Point[][][]),
    interval: isInterval ? (reply.outline.coordinates as Point) : null,
    bounds: reply.bounds,
    points,
    columns,
    truncated: reply.truncated
  };
}

/** Keeps a preview of the model's geometry, refreshed after edits. */
export class GeometryPreview {
  constructor(model: WorkbenchModel, client: WorkbenchClient) {
    this._model = model;
    this._client = client;
    model.changed.connect(() => {
      if (model.document.geometry !== this._asked) {
        this.schedule();
      }
    }, this);
    client.connected.connect(this.schedule, this);
    if (client.state === 'ready') {
      this.schedule();
    }
  }

  /** The last preview (null before the first). */
  get preview(): IGeometryPreview | null {
    return this._preview;
  }

  /** Why the last preview failed (empty when it did not). */
  get error(): string {
    return this._error;
  }

  /** Whether a request is on its way. */
  get loading(): boolean {
    return this._loading;
  }

  /** Emitted when preview, error or loading change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Ask for a preview after the debounce delay. */
  schedule(): void {
    window.clearTimeout(this._timer);
    this._timer = window.setTimeout(
      () => void this.refresh(),
      PREVIEW_DEBOUNCE_MS
    );
  }

  /** Ask for a preview of the current geometry now. */
  async refresh(): Promise<void> {
    const generation = ++this._generation;
    const geometry: IGeometry = this._model.document.geometry;
    this._asked = geometry;
    this._loading = true;
    this._changed.emit();
    try {
      const { reply, buffers } = await this._client.request(
        'preview_geometry',
        {
          document: this._model.document
        }
      );
      if (generation === this._generation) {
        this._preview = decodePreview(reply, buffers);
        this._error = '';
      }
    } catch (error) {
      if (generation === this._generation) {
        this._error = error instanceof Error ? error.message : String(error);
      }
    } finally {
      if (generation === this._generation) {
        this._loading = false;
        this._changed.emit();
      }
    }
  }

  dispose(): void {
    window.clearTimeout(this._timer);
    Signal.clearData(this);
  }

  private _model: WorkbenchModel;
  private _client: WorkbenchClient;
  private _asked: IGeometry | null = null;
  private _preview: IGeometryPreview | null = null;
  private _error = '';
  private _loading = false;
  private _timer = 0;
  private _generation = 0;
  private _changed = new Signal<this, void>(this);
}
