/**
 * One rendered dashboard: progress and controls, the embedded bokeh plots,
 * updated from the store at most once per animation frame.
 */
import {
  ensureBokeh,
  IBokehDocument,
  IBokehSource,
  IBokehViewManager
} from './bokeh';
import {
  columnsOf,
  framesOf,
  IAppendMessage,
  IFieldMessage,
  IModel,
  IReceived,
  IStatus
} from './messages';
import { Columns, Series } from './series';
import { smoothFrom, SmoothState } from './smoothing';
import { DashboardStore, MAX_REPLAY } from './store';

const SMOOTH = '__smooth';

function button(
  label: string,
  title: string,
  action: () => void
): HTMLButtonElement {
  const element = document.createElement('button');
  element.className = 'jno-dashboard-button';
  element.textContent = label;
  element.title = title;
  element.setAttribute('aria-label', title);
  element.addEventListener('click', action);
  return element;
}

function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return '–';
  }
  if (value < 60) {
    return `${value.toFixed(1)} s`;
  }
  const minutes = Math.floor(value / 60);
  return `${minutes} min ${Math.round(value - 60 * minutes)} s`;
}

/** The progress line of a status. */
export function progressText(status: IStatus): string {
  const step = status.step ?? 0;
  const total = status.total ? ` / ${status.total}` : '';
  const rate = status.rate ? `${status.rate.toFixed(1)} steps/s` : '– steps/s';
  const phase = status.phase ? `phase ${status.phase}` : 'no run yet';
  // a run that stopped at a non-finite step says where instead of its state
  const state =
    status.state === 'nonfinite' && status.message
      ? status.message
      : (status.state ?? 'idle');
  return (
    `step ${step}${total} · ${rate} · elapsed ${seconds(status.elapsed)} · ` +
    `ETA ${seconds(status.eta)} · ${phase} · ${state}`
  );
}

export class DashboardView {
  readonly root: HTMLDivElement;
  private readonly progress: HTMLDivElement;
  private readonly plots: HTMLDivElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly pauseButton: HTMLButtonElement;
  private readonly smoothing: HTMLInputElement;
  private readonly timeSlider: HTMLInputElement;
  private readonly timeLabel: HTMLSpanElement;
  private views: IBokehViewManager | null = null;
  private doc: IBokehDocument | null = null;
  private layoutId = -1;
  private queue: IReceived<IAppendMessage>[] = [];
  private frame = 0;
  private smoothState = new Map<string, SmoothState>();
  private series = new Map<string, Series>();
  private field: IReceived<IFieldMessage> | null = null;
  private unsubscribe: () => void = () => undefined;
  private embedding: Promise<void> = Promise.resolve();
  /** Steps of the loss plot drawn from streamed messages (for tests). */
  streamedRows = 0;

  constructor(
    private readonly model: IModel,
    private readonly store: DashboardStore
  ) {
    this.root = document.createElement('div');
    this.root.className = 'jno-dashboard';
    const bar = document.createElement('div');
    bar.className = 'jno-dashboard-bar';
    this.progress = document.createElement('div');
    this.progress.className = 'jno-dashboard-progress';
    this.progress.setAttribute('role', 'status');
    this.stopButton = button('Stop', 'Stop training at the next chunk', () =>
      this.control('stop')
    );
    this.pauseButton = button('Pause', 'Pause training at the next chunk', () =>
      this.control(
        this.pauseButton.textContent === 'Pause' ? 'pause' : 'resume'
      )
    );
    const smoothLabel = document.createElement('label');
    smoothLabel.className = 'jno-dashboard-label';
    smoothLabel.textContent = 'smoothing ';
    this.smoothing = document.createElement('input');
    this.smoothing.type = 'range';
    this.smoothing.min = '0';
    this.smoothing.max = '0.99';
    this.smoothing.step = '0.01';
    this.smoothing.value = String(model.get('smoothing') ?? 0.9);
    this.smoothing.title = 'Smoothing of the loss curves (0: raw)';
    this.smoothing.addEventListener('change', () => this.setSmoothing());
    smoothLabel.appendChild(this.smoothing);
    const timeLabel = document.createElement('label');
    timeLabel.className = 'jno-dashboard-label jno-dashboard-time';
    this.timeLabel = document.createElement('span');
    this.timeSlider = document.createElement('input');
    this.timeSlider.type = 'range';
    this.timeSlider.min = '0';
    this.timeSlider.step = '1';
    this.timeSlider.title = 'Time step shown in the field view';
    this.timeSlider.addEventListener('input', () => this.drawField());
    timeLabel.append(this.timeLabel, this.timeSlider);
    timeLabel.style.display = 'none'; // shown for time-dependent fields
    bar.append(
      this.progress,
      this.pauseButton,
      this.stopButton,
      smoothLabel,
      timeLabel
    );
    this.plots = document.createElement('div');
    this.plots.className = 'jno-dashboard-plots';
    this.root.append(bar, this.plots);
  }

  /** Draw what the store holds, then follow the kernel's messages. */
  async start(): Promise<void> {
    this.showStatus();
    this.model.on('change:status', this.showStatus);
    this.unsubscribe = this.store.subscribe(received => this.receive(received));
    const layout = this.store.layout;
    if (layout && this.store.appends.length <= MAX_REPLAY) {
      await this.embed(
        layout.message.item,
        layout.message.layout,
        Object.keys(layout.message.lengths)
      );
      for (const append of this.store.appends) {
        this.queue.push(append);
      }
      this.field = this.store.field;
      this.schedule();
    } else {
      this.model.send({ type: 'sync' });
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.model.off('change:status', this.showStatus);
    cancelAnimationFrame(this.frame);
    this.views?.roots.forEach(view => view.remove());
  }

  private control(action: 'stop' | 'pause' | 'resume'): void {
    this.model.send({ type: 'control', action });
  }

  private readonly showStatus = (): void => {
    const status = (this.model.get('status') ?? {}) as IStatus;
    this.progress.textContent = progressText(status);
    const state = status.state ?? 'idle';
    const active =
      state === 'running' || state === 'paused' || state === 'pausing';
    this.stopButton.disabled = !active;
    this.pauseButton.disabled = !active;
    this.pauseButton.textContent =
      state === 'paused' || state === 'pausing' ? 'Resume' : 'Pause';
    this.pauseButton.title =
      this.pauseButton.textContent === 'Pause'
        ? 'Pause training at the next chunk'
        : 'Resume training';
    this.root.dataset.state = state;
  };

  private receive(received: IReceived): void {
    const message = received.message;
    if (message.type === 'layout') {
      this.queue = [];
      this.embedding = this.embedding.then(() =>
        this.embed(message.item, message.layout, Object.keys(message.lengths))
      );
    } else if (message.type === 'append') {
      this.queue.push(received as IReceived<IAppendMessage>);
      this.schedule();
    } else if (message.type === 'field') {
      this.field = received as IReceived<IFieldMessage>;
      this.schedule();
    }
  }

  private async embed(
    item: Record<string, unknown>,
    layout: number,
    appendable: string[]
  ): Promise<void> {
    const version = String(this.model.get('bokeh_version'));
    const bokeh = await ensureBokeh(this.model, version, () =>
      this.store.script()
    );
    this.views?.roots.forEach(view => view.remove());
    this.plots.replaceChildren();
    const target = document.createElement('div');
    this.plots.appendChild(target);
    this.views = await bokeh.embed.embed_item(item, target);
    this.doc = this.views.roots[0]?.model.document ?? null;
    this.layoutId = layout;
    this.smoothState.clear();
    this.series.clear();
    for (const name of appendable) {
      const source = this.source(name);
      if (source) {
        const copy: Columns = {};
        for (const [key, values] of Object.entries(source.data)) {
          copy[key] = Array.from(values as number[]);
        }
        this.series.set(name, new Series(copy));
      }
    }
    this.resmooth();
    this.root.dataset.layout = String(layout);
    this.schedule();
  }

  /** The kernel's step count, as the status trait last said. */
  kernelStep(): number {
    return ((this.model.get('status') ?? {}) as IStatus).step ?? 0;
  }

  /** A column of a source's full history (for tests and debugging). */
  history(source: string, column: string): number[] {
    return this.series.get(source)?.columns[column] ?? [];
  }

  /** A column of a plotted source, as drawn now (for tests and debugging). */
  column(source: string, column: string): unknown[] {
    return this.source(source)?.data[column] ?? [];
  }

  private source(name: string): IBokehSource | null {
    return (this.doc?.get_model_by_name(name) as IBokehSource | null) ?? null;
  }

  private schedule(): void {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.flush();
      });
    }
  }

  /** Apply the queued appends (merged per source) and the latest field. */
  private flush(): void {
    if (!this.doc) {
      return;
    }
    const merged = new Map<string, Record<string, number[]>>();
    for (const { message, buffers } of this.queue) {
      if (message.layout !== this.layoutId) {
        continue;
      }
      for (const [name, spec] of Object.entries(message.sources)) {
        const columns = columnsOf(spec, buffers);
        const source = this.source(name);
        if (!source) {
          continue;
        }
        if (!('step' in columns) || 'index' in columns) {
          source.data = columns; // a latest-value source (an NTK spectrum)
          continue;
        }
        const pending = merged.get(name);
        const have =
          (this.series.get(name)?.length ?? 0) + (pending?.step.length ?? 0);
        if (message.starts[name] !== have) {
          this.queue = [];
          this.model.send({ type: 'sync' }); // a gap or a repeat: start again from the full state
          return;
        }
        if (pending) {
          for (const key of Object.keys(columns)) {
            pending[key] = pending[key].concat(columns[key]);
          }
        } else {
          merged.set(name, columns);
        }
      }
    }
    this.queue = [];
    const alpha = Number(this.smoothing.value);
    for (const [name, columns] of merged) {
      const source = this.source(name);
      const series = this.series.get(name);
      if (!source || !series) {
        continue;
      }
      const rows: Columns = { ...columns };
      for (const key of Object.keys(series.columns)) {
        if (key.endsWith(SMOOTH)) {
          const raw = key.slice(0, -SMOOTH.length);
          const stateKey = `${name}/${raw}`;
          const [smoothed, state] = smoothFrom(
            columns[raw] ?? [],
            alpha,
            this.smoothState.get(stateKey) ?? null
          );
          this.smoothState.set(stateKey, state);
          rows[key] = smoothed;
        }
      }
      const change = series.append(rows);
      if (change.replace) {
        source.data = change.replace;
      } else if (change.stream && change.stream.step.length) {
        source.stream(change.stream);
      }
      if (name === 'losses') {
        this.streamedRows += columns.step.length;
      }
    }
    this.drawField();
    this.root.dataset.rows = String(this.streamedRows);
  }

  /** Recompute every smoothed column from its raw column. */
  private resmooth(): void {
    const alpha = Number(this.smoothing.value);
    for (const name of [
      'losses',
      ...Array.from({ length: 8 }, (_, i) => `losses@${i + 1}`)
    ]) {
      const source = this.source(name);
      const series = this.series.get(name);
      if (!source || !series) {
        continue;
      }
      const data = series.columns;
      for (const key of Object.keys(data)) {
        if (key.endsWith(SMOOTH)) {
          const raw = key.slice(0, -SMOOTH.length);
          const [smoothed, state] = smoothFrom(data[raw], alpha, null);
          data[key] = smoothed;
          this.smoothState.set(`${name}/${raw}`, state);
        }
      }
      source.data = series.drawn();
    }
  }

  private setSmoothing(): void {
    this.model.set('smoothing', Number(this.smoothing.value));
    this.model.save_changes();
    this.resmooth();
  }

  private drawField(): void {
    const field = this.field;
    if (!field || !this.doc) {
      return;
    }
    const { names, shapes, times } = field.message;
    const count = shapes[0]?.[0] ?? 1;
    this.timeSlider.max = String(Math.max(0, count - 1));
    if (
      Number(this.timeSlider.value) > count - 1 ||
      this.root.dataset.fieldStep === undefined
    ) {
      this.timeSlider.value = String(count - 1);
    }
    const index = Number(this.timeSlider.value);
    const timed = times.length > 1;
    this.timeSlider.parentElement!.style.display = timed ? '' : 'none';
    this.timeLabel.textContent = timed
      ? `t = ${times[index].toPrecision(3)} `
      : '';
    names.forEach((name, k) => {
      const shape = shapes[k];
      const frames = framesOf(field.buffers[k], shape);
      const size = shape.slice(1).reduce((a, b) => a * b, 1);
      const frame = frames.subarray(index * size, (index + 1) * size);
      const source = this.source(`field:${name}`);
      if (!source) {
        return;
      }
      if (shape.length === 2) {
        source.data = { ...source.data, y: Array.from(frame) };
        return;
      }
      let low = Infinity;
      let high = -Infinity;
      for (const v of frame) {
        if (Number.isFinite(v)) {
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
      }
      // The image is a BokehJS NDArray of the grid's shape: overwrite it in place.
      const image = (source.data.image as unknown[])[0] as
        Float32Array | undefined;
      if (!image || image.length !== frame.length) {
        return;
      }
      image.set(frame);
      source.data = { ...source.data };
      const mapper = this.doc!.get_model_by_name(`mapper:${name}`) as {
        low: number;
        high: number;
      } | null;
      if (mapper && Number.isFinite(low)) {
        mapper.low = low;
        mapper.high = high > low ? high : low + 1e-12;
      }
    });
    this.root.dataset.fieldStep = String(field.message.step);
  }
}
