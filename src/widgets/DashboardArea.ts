/**
 * The editor's output area for the live dashboard: renders the dashboard
 * widget model of a run with the Jupyter widget manager of the kernel.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import { type IRenderMimeRegistry, MimeModel } from '@jupyterlab/rendermime';
import type { IDisposable } from '@lumino/disposable';
import { Signal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

/** MIME type of a widget view. */
const WIDGET_VIEW_MIME = 'application/vnd.jupyter.widget-view+json';

/**
 * What `registerWidgetManager` reads of a document context: the session,
 * a save signal and metadata access (the workbench keeps no widget state).
 */
function widgetContext(sessionContext: ISessionContext): unknown {
  return {
    sessionContext,
    saveState: new Signal<unknown, string>({}),
    model: {
      getMetadata: (): undefined => undefined,
      setMetadata: (): void => undefined
    }
  };
}

/** A panel that shows the dashboard widget of the latest run. */
export class DashboardArea extends Panel {
  constructor(
    sessionContext: ISessionContext,
    rendermime: IRenderMimeRegistry
  ) {
    super();
    this.addClass('jp-JnoLab-dashboardArea');
    this._sessionContext = sessionContext;
    this._rendermime = rendermime.clone();
    this._message = new Widget();
    this._message.addClass('jp-JnoLab-dashboardMessage');
    this.addWidget(this._message);
    this.hide();
    // The manager must exist before the kernel creates a dashboard: messages
    // a widget model receives before that are lost.
    this._manager = sessionContext.ready.then(() => this._ensureManager());
    this._manager.catch(() => undefined);
  }

  /** Show the widget model `modelId` (replacing any earlier dashboard). */
  async showDashboard(modelId: string): Promise<void> {
    this.setHidden(false);
    this._message.node.textContent = 'Loading the dashboard…';
    try {
      await this._manager.catch(() => this._ensureManager());
      const renderer = this._rendermime.createRenderer(WIDGET_VIEW_MIME);
      const model = new MimeModel({
        data: {
          [WIDGET_VIEW_MIME]: {
            model_id: modelId,
            version_major: 2,
            version_minor: 1
          }
        }
      });
      this._current?.dispose();
      this._current = renderer;
      renderer.addClass('jp-JnoLab-dashboard');
      this.addWidget(renderer);
      await renderer.renderModel(model);
      this._message.node.textContent = '';
    } catch (error) {
      this._message.node.textContent = `The dashboard could not be shown: ${error}`;
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._registration?.dispose();
    super.dispose();
  }

  private async _ensureManager(): Promise<void> {
    if (this._registration) {
      return;
    }
    if (!this._sessionContext.session?.kernel) {
      throw new Error('no kernel');
    }
    const manager = await import('@jupyter-widgets/jupyterlab-manager');
    await this._sessionContext.ready;
    const placeholder = this._rendermime.getFactory(WIDGET_VIEW_MIME);
    type Context = Parameters<typeof manager.registerWidgetManager>[0];
    this._registration = manager.registerWidgetManager(
      widgetContext(this._sessionContext) as Context,
      this._rendermime,
      [][Symbol.iterator]()
    );
    // The manager replaces the placeholder renderer once it knows the kernel.
    for (let i = 0; i < 200; i++) {
      if (this._rendermime.getFactory(WIDGET_VIEW_MIME) !== placeholder) {
        return;
      }
      await new Promise(resolve => window.setTimeout(resolve, 50));
    }
    throw new Error('the Jupyter widget manager did not start');
  }

  private _sessionContext: ISessionContext;
  private _rendermime: IRenderMimeRegistry;
  private _message: Widget;
  private _current: Widget | null = null;
  private _registration: IDisposable | null = null;
  private _manager: Promise<void>;
}
