/**
 * The model-level buffer: every message the kernel sends is kept here, whether
 * or not a view is rendered (anywidget drops custom messages nobody listens to),
 * so a view that renders late, or a second view, draws every point.
 */
import type {
  IAppendMessage,
  IFieldMessage,
  ILayoutMessage,
  IModel,
  IReceived,
  KernelMessage
} from './messages';

/** Past this many appends, a new view asks for a fresh layout instead of replaying. */
export const MAX_REPLAY = 400;

export class DashboardStore {
  layout: IReceived<ILayoutMessage> | null = null;
  appends: IReceived<IAppendMessage>[] = [];
  field: IReceived<IFieldMessage> | null = null;
  private bokehScript: Promise<string>;
  private resolveBokeh: (text: string) => void = () => undefined;
  private listeners = new Set<(received: IReceived) => void>();

  constructor(readonly model: IModel) {
    this.bokehScript = new Promise(resolve => (this.resolveBokeh = resolve));
    model.on('msg:custom', ((message: KernelMessage, buffers: DataView[]) =>
      this.receive({ message, buffers: buffers ?? [] })) as never);
  }

  /** The BokehJS script text, once the kernel has sent it. */
  script(): Promise<string> {
    return this.bokehScript;
  }

  /** Call `listener` with every later message; returns the unsubscribe function. */
  subscribe(listener: (received: IReceived) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private receive(received: IReceived): void {
    const message = received.message;
    switch (message.type) {
      case 'layout':
        this.layout = received as IReceived<ILayoutMessage>;
        this.appends = [];
        break;
      case 'append':
        if (this.layout && message.layout === this.layout.message.layout) {
          this.appends.push(received as IReceived<IAppendMessage>);
        }
        break;
      case 'field':
        this.field = received as IReceived<IFieldMessage>;
        break;
      case 'bokeh-js': {
        const view = received.buffers[0];
        const bytes = new Uint8Array(
          view.buffer,
          view.byteOffset,
          view.byteLength
        );
        this.resolveBokeh(new TextDecoder().decode(bytes));
        break;
      }
    }
    for (const listener of this.listeners) {
      listener(received);
    }
  }
}

const stores = new WeakMap<IModel, DashboardStore>();

/** The store of `model` (created on first use). */
export function storeOf(model: IModel): DashboardStore {
  let store = stores.get(model);
  if (!store) {
    store = new DashboardStore(model);
    stores.set(model, store);
  }
  return store;
}
