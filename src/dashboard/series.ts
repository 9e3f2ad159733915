/**
 * The full history of one plotted source, and the decimated part of it that is
 * drawn: at most about `MAX_DRAWN` rows (every `stride`-th row, the stride doubling
 * as the run grows), so a long run costs each redraw the same.
 */

/** Rows drawn per source at most (between MAX_DRAWN / 2 and MAX_DRAWN). */
export const MAX_DRAWN = 4000;

export type Columns = Record<string, number[]>;

export class Series {
  private stride = 1;

  constructor(readonly columns: Columns) {
    this.stride = Series.strideFor(this.length);
  }

  /** Rows held (all of them, not only the drawn ones). */
  get length(): number {
    return this.columns.step?.length ?? 0;
  }

  /** The stride that keeps `rows` rows under MAX_DRAWN drawn points. */
  static strideFor(rows: number): number {
    let stride = 1;
    while (rows / stride > MAX_DRAWN) {
      stride *= 2;
    }
    return stride;
  }

  /**
   * Append rows; returns what the plot needs: `{ replace }` (the stride changed:
   * draw these rows instead) or `{ stream }` (add these rows to the drawn ones).
   */
  append(rows: Columns): { replace?: Columns; stream?: Columns } {
    const start = this.length;
    for (const [key, values] of Object.entries(rows)) {
      const column = this.columns[key] ?? (this.columns[key] = []);
      for (const v of values) {
        column.push(v);
      }
    }
    const stride = Series.strideFor(this.length);
    if (stride !== this.stride) {
      this.stride = stride;
      return { replace: this.drawn() };
    }
    return { stream: this.pick(start) };
  }

  /** The drawn rows: every stride-th row. */
  drawn(): Columns {
    return this.pick(0);
  }

  private pick(start: number): Columns {
    const out: Columns = {};
    const first = Math.ceil(start / this.stride) * this.stride;
    for (const [key, values] of Object.entries(this.columns)) {
      const picked: number[] = [];
      for (let i = first; i < values.length; i += this.stride) {
        picked.push(values[i]);
      }
      out[key] = picked;
    }
    return out;
  }
}
