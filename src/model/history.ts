/**
 * Undo/redo history of immutable snapshots.
 */

/** A bounded undo/redo stack of snapshots of type T. */
export class History<T> {
  constructor(initial: T, limit = 200) {
    this._present = initial;
    this._limit = limit;
  }

  /** The current snapshot. */
  get present(): T {
    return this._present;
  }

  get canUndo(): boolean {
    return this._past.length > 0;
  }

  get canRedo(): boolean {
    return this._future.length > 0;
  }

  /** Record a new snapshot; clears the redo stack. */
  push(next: T): void {
    this._past.push(this._present);
    if (this._past.length > this._limit) {
      this._past.shift();
    }
    this._present = next;
    this._future = [];
  }

  /** Step back; returns the restored snapshot, or undefined when at the start. */
  undo(): T | undefined {
    const previous = this._past.pop();
    if (previous === undefined) {
      return undefined;
    }
    this._future.push(this._present);
    this._present = previous;
    return previous;
  }

  /** Step forward; returns the restored snapshot, or undefined when at the end. */
  redo(): T | undefined {
    const next = this._future.pop();
    if (next === undefined) {
      return undefined;
    }
    this._past.push(this._present);
    this._present = next;
    return next;
  }

  /** Forget everything and start over from `snapshot`. */
  reset(snapshot: T): void {
    this._past = [];
    this._future = [];
    this._present = snapshot;
  }

  private _present: T;
  private _past: T[] = [];
  private _future: T[] = [];
  private _limit: number;
}
