import { ReactWidget } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { Contents } from '@jupyterlab/services';
import { type ISignal, Signal } from '@lumino/signaling';
import { SplitPanel } from '@lumino/widgets';
import * as React from 'react';

import { DevicesPanel } from '../components/DevicesPanel';
import { EditorView } from '../components/EditorView';
import { GeometryEditor } from '../components/GeometryEditor';
import { CodeNotice, NonFiniteNotice } from '../components/Notices';
import { RunBar } from '../components/RunBar';
import { TrainingPlan } from '../components/TrainingPlan';
import { parseDocument, serialize } from '../document/types';
import { WorkbenchClient } from '../kernel/client';
import { CATALOGUE } from '../model/catalogue';
import { CodeTrust, type ICodeReview } from '../model/codeTrust';
import { GeometryPreview } from '../model/geometryPreview';
import { RunController } from '../model/runController';
import { Validator } from '../model/validator';
import { WorkbenchModel } from '../model/workbenchModel';
import { newDocument } from '../document/types';
import { ClassNames } from '../tokens';
import { showCodeReview } from './codeReviewDialog';
import { DashboardArea } from './DashboardArea';

/** What an editor needs from the application. */
export interface IWorkbenchServices {
  /** Renders the dashboard widget (none: no dashboard). */
  rendermime: IRenderMimeRegistry | null;
  /** Writes exported scripts. */
  contents: Contents.IManager;
  /** Opens a file in its default editor. */
  open: (path: string) => void;
}

/** The React part of the editor. */
class EditorReactWidget extends ReactWidget {
  constructor(private _owner: WorkbenchContent) {
    super();
    this.addClass('jp-JnoLab-reactHost');
  }

  protected render(): JSX.Element {
    const owner = this._owner;
    return (
      <EditorView
        model={owner.model}
        catalogue={CATALOGUE}
        client={owner.client}
        validator={owner.validator}
        loadError={owner.loadError}
        showNode={owner.showNodeRequested}
        notices={
          <>
            <CodeNotice
              trust={owner.trust}
              onReview={() => void owner.reviewCode()}
            />
            <NonFiniteNotice runs={owner.runs} />
          </>
        }
        extraViews={[
          {
            id: 'geometry',
            label: 'Geometry',
            render: () => (
              <GeometryEditor model={owner.model} preview={owner.preview} />
            )
          },
          {
            id: 'training',
            label: 'Training',
            render: () => <TrainingPlan model={owner.model} />
          },
          {
            id: 'devices',
            label: 'Devices',
            render: () => (
              <DevicesPanel model={owner.model} client={owner.client} />
            )
          }
        ]}
        headerExtra={
          <RunBar
            runs={owner.runs}
            onExport={() => void owner.exportScript()}
            onNotebook={() => void owner.openNotebook()}
            exportMessage={owner.exportMessage}
          />
        }
      />
    );
  }
}

/**
 * The content of a workbench editor: keeps the editor's model and the
 * document's text in step (edits write the text, so the file gets dirty;
 * a reverted or reloaded file replaces the model), owns the kernel client.
 */
export class WorkbenchContent extends SplitPanel {
  constructor(
    context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>,
    services: IWorkbenchServices
  ) {
    super({ orientation: 'vertical' });
    this._services = services;
    this.addClass(ClassNames.editor);
    this.addClass(ClassNames.panel);
    this._context = context;
    this.model = new WorkbenchModel(newDocument());
    this.client = new WorkbenchClient(context.sessionContext);
    this.trust = new CodeTrust(this.client);
    this.validator = new Validator(this.model, this.client, this.trust);
    this.runs = new RunController(this.model, this.client);
    this.runs.trustRequired.connect(
      (_, review) => void this.reviewCode(review)
    );
    this.preview = new GeometryPreview(this.model, this.client);
    this._view = new EditorReactWidget(this);
    this.addWidget(this._view);
    if (services.rendermime) {
      const dashboard = new DashboardArea(
        context.sessionContext,
        services.rendermime
      );
      this._dashboard = dashboard;
      this.addWidget(dashboard);
      this.runs.dashboardCreated.connect((_, id) => {
        const first = dashboard.isHidden;
        void dashboard.showDashboard(id);
        if (first) {
          this.setRelativeSizes([1, 1]);
        }
      });
    }
    this.model.changed.connect((_, origin) => {
      if (origin !== 'load') {
        this._writeText();
      }
    });
    void context.ready.then(() => {
      this._readText();
      context.model.contentChanged.connect(this._readText, this);
    });
  }

  /** The editor's state of the document. */
  readonly model: WorkbenchModel;
  /** The connection to the kernel's workbench comm. */
  readonly client: WorkbenchClient;
  /** What the kernel says of the document's code, and the user's trust in it. */
  readonly trust: CodeTrust;
  /** Kernel validation after edits. */
  readonly validator: Validator;
  /** Training runs of the document. */
  readonly runs: RunController;
  /** The kernel's picture of the geometry. */
  readonly preview: GeometryPreview;

  /** Where the last export wrote, or why it failed. */
  get exportMessage(): string {
    return this._exportMessage;
  }

  /** Emits the id of a node to show in the graph. */
  get showNodeRequested(): ISignal<this, string> {
    return this._showNode;
  }

  /**
   * Review the document's code in a dialog: the code of `review` (a refused
   * run's document) or, without one, of the document as it is now. Trusting
   * trusts exactly the reviewed document's code; "Trust and run" runs after.
   */
  async reviewCode(review?: ICodeReview): Promise<void> {
    if (this.trust.reviewing) {
      return;
    }
    let shown = review;
    if (!shown) {
      try {
        shown = await this.trust.snapshot(this.model.document);
      } catch {
        return; // the kernel is gone: the notice goes with the validation
      }
      if (!shown.codeNodes.length || this.trust.trusted) {
        return; // nothing to review (any more): the notice has gone
      }
    }
    await this.trust.review(
      shown,
      r =>
        showCodeReview(r, {
          onShowNode: id => this._showNode.emit(id)
        }),
      () => this.runs.run()
    );
    void this.validator.validateNow();
  }

  /** The dashboard output area (null without a renderer registry). */
  get dashboard(): DashboardArea | null {
    return this._dashboard;
  }

  /** Export the document to `<name>.py` next to it and open the script. */
  async exportScript(): Promise<void> {
    const path = this._context.path;
    const dir = PathExt.dirname(path);
    const stem = PathExt.basename(path, PathExt.extname(path));
    const target = PathExt.join(dir, `${stem}.py`);
    try {
      const { reply } = await this.client.request('export', {
        document: this.model.document
      });
      await this._services.contents.save(target, {
        type: 'file',
        format: 'text',
        content: reply.source
      });
      this._exportMessage = `Wrote ${PathExt.basename(target)}`;
      this._services.open(target);
    } catch (error) {
      this._exportMessage = `Export failed: ${error instanceof Error ? error.message : error}`;
    }
    this._view.update();
  }

  /**
   * Write the document as `<name>.ipynb` next to it (the exported script in
   * cells, then the run's live dashboard) and open the notebook.
   */
  async openNotebook(): Promise<void> {
    const path = this._context.path;
    const name = PathExt.basename(path);
    const stem = PathExt.basename(path, PathExt.extname(path));
    const target = PathExt.join(PathExt.dirname(path), `${stem}.ipynb`);
    try {
      const { reply } = await this.client.request('notebook', {
        document: this.model.document,
        name
      });
      await this._services.contents.save(target, {
        type: 'notebook',
        format: 'json',
        content: reply.notebook
      });
      this._exportMessage = `Wrote ${PathExt.basename(target)}`;
      this._services.open(target);
    } catch (error) {
      this._exportMessage = `Notebook failed: ${error instanceof Error ? error.message : error}`;
    }
    this._view.update();
  }

  /** Why the file could not be read as a document (empty when it could). */
  get loadError(): string {
    return this._loadError;
  }

  /** The document context. */
  get context(): DocumentRegistry.IContext<DocumentRegistry.ICodeModel> {
    return this._context;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.runs.dispose();
    this.trust.dispose();
    this.preview.dispose();
    this.validator.dispose();
    this.client.dispose();
    this.model.dispose();
    super.dispose();
  }

  private _readText(): void {
    const text = this._context.model.toString();
    if (text === this._lastText) {
      return;
    }
    this._lastText = text;
    try {
      this.model.load(parseDocument(text));
      this._loadError = '';
    } catch (error) {
      this._loadError = error instanceof Error ? error.message : String(error);
    }
    this._view.update();
  }

  private _writeText(): void {
    if (this._loadError) {
      return;
    }
    const text = serialize(this.model.document);
    this._lastText = text;
    this._context.model.fromString(text);
    this._context.model.dirty = true;
  }

  private _context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>;
  private _services: IWorkbenchServices;
  private _dashboard: DashboardArea | null = null;
  private _showNode = new Signal<this, string>(this);
  private _exportMessage = '';
  private _view: EditorReactWidget;
  private _loadError = '';
  private _lastText: string | null = null;
}
