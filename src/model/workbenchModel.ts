/**
 * The editor's state of one document: the document with one undo history for
 * every edit (graph, geometry, plan), the kernel's problems, the selection.
 * Plain TypeScript with Lumino signals; no React.
 */
import { type ISignal, Signal } from '@lumino/signaling';

import type { IWorkbenchDocument } from '../document/types';
import type { IProblem } from '../protocol';
import { History } from './history';

/** Why the document changed. */
export type ChangeOrigin = 'edit' | 'undo' | 'redo' | 'load';

/** Options of {@link WorkbenchModel.edit}. */
export interface IEditOptions {
  /**
   * Edits with the same key less than a second apart become one undo step
   * (typing in a field, dragging a slider).
   */
  coalesce?: string;
}

/** Milliseconds within which edits with one coalesce key merge. */
const COALESCE_MS = 1000;

/** State of one open workbench document. */
export class WorkbenchModel {
  constructor(doc: IWorkbenchDocument) {
    this._history = new History(doc);
  }

  /** The current document. */
  get document(): IWorkbenchDocument {
    return this._history.present;
  }

  /** Emitted with the origin after every document change. */
  get changed(): ISignal<this, ChangeOrigin> {
    return this._changed;
  }

  /** The problems of the last validation. */
  get problems(): readonly IProblem[] {
    return this._problems;
  }

  /** Emitted when the problems change. */
  get problemsChanged(): ISignal<this, void> {
    return this._problemsChanged;
  }

  /** Ids of the selected graph nodes. */
  get selection(): ReadonlySet<string> {
    return this._selection;
  }

  /** Emitted when the selection changes. */
  get selectionChanged(): ISignal<this, void> {
    return this._selectionChanged;
  }

  /** Emitted with a node id when a view should bring that node into sight. */
  get focusRequested(): ISignal<this, string> {
    return this._focusRequested;
  }

  get canUndo(): boolean {
    return this._history.canUndo;
  }

  get canRedo(): boolean {
    return this._history.canRedo;
  }

  /** Apply an edit (a pure function of the document) as one undo step. */
  edit(
    change: (doc: IWorkbenchDocument) => IWorkbenchDocument,
    options: IEditOptions = {}
  ): void {
    const current = this._history.present;
    const next = change(current);
    if (next === current) {
      return;
    }
    const now = Date.now();
    const merge =
      options.coalesce !== undefined &&
      options.coalesce === this._lastKey &&
      now - this._lastTime < COALESCE_MS &&
      this._history.canUndo;
    if (merge) {
      this._history.undo();
    }
    this._history.push(next);
    this._lastKey = options.coalesce;
    this._lastTime = now;
    this._changed.emit('edit');
  }

  undo(): void {
    if (this._history.undo() !== undefined) {
      this._lastKey = undefined;
      this._changed.emit('undo');
    }
  }

  redo(): void {
    if (this._history.redo() !== undefined) {
      this._lastKey = undefined;
      this._changed.emit('redo');
    }
  }

  /** Replace the document (loaded from disk): the history starts over. */
  load(doc: IWorkbenchDocument): void {
    this._history.reset(doc);
    this._lastKey = undefined;
    const known = new Set(doc.graph.nodes.map(n => n.id));
    this.select([...this._selection].filter(id => known.has(id)));
    this._changed.emit('load');
  }

  /** Set the problems of the last validation. */
  setProblems(problems: IProblem[]): void {
    this._problems = problems;
    this._problemsChanged.emit();
  }

  /** Select exactly these nodes. */
  select(ids: Iterable<string>): void {
    const next = new Set(ids);
    if (
      next.size === this._selection.size &&
      [...next].every(id => this._selection.has(id))
    ) {
      return;
    }
    this._selection = next;
    this._selectionChanged.emit();
  }

  /** Select a node and ask the views to show it. */
  focusNode(id: string): void {
    this.select([id]);
    this._focusRequested.emit(id);
  }

  /** Drop all signal connections. */
  dispose(): void {
    Signal.clearData(this);
  }

  private _history: History<IWorkbenchDocument>;
  private _lastKey: string | undefined;
  private _lastTime = 0;
  private _problems: IProblem[] = [];
  private _selection = new Set<string>();
  private _changed = new Signal<this, ChangeOrigin>(this);
  private _problemsChanged = new Signal<this, void>(this);
  private _selectionChanged = new Signal<this, void>(this);
  private _focusRequested = new Signal<this, string>(this);
}
