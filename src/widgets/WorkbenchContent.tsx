import { ReactWidget } from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { SplitPanel } from '@lumino/widgets';
import * as React from 'react';

import { EditorView } from '../components/EditorView';
import { parseDocument, serialize } from '../document/types';
import { WorkbenchClient } from '../kernel/client';
import { CATALOGUE } from '../model/catalogue';
import { Validator } from '../model/validator';
import { WorkbenchModel } from '../model/workbenchModel';
import { newDocument } from '../document/types';
import { ClassNames } from '../tokens';

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
  constructor(context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>) {
    super({ orientation: 'vertical' });
    this.addClass(ClassNames.editor);
    this.addClass(ClassNames.panel);
    this._context = context;
    this.model = new WorkbenchModel(newDocument());
    this.client = new WorkbenchClient(context.sessionContext);
    this.validator = new Validator(this.model, this.client);
    this._view = new EditorReactWidget(this);
    this.addWidget(this._view);
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
  /** Kernel validation after edits. */
  readonly validator: Validator;

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
  private _view: EditorReactWidget;
  private _loadError = '';
  private _lastText: string | null = null;
}
