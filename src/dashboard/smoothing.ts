/**
 * Loss smoothing: an exponential moving average in log10 space, as
 * `jno_lab.widgets.figures.smooth` computes it.
 */

/** Smoothing state of one column: the last smoothed log10 value. */
export type SmoothState = number | null;

/** Smooth `values` continuing from `state`; returns the values and the new state. */
export function smoothFrom(
  values: number[],
  alpha: number,
  state: SmoothState
): [number[], SmoothState] {
  const out = new Array<number>(values.length);
  let s = state;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v <= 0) {
      out[i] = v;
      continue;
    }
    const lv = Math.log10(v);
    s = s === null ? lv : alpha * s + (1 - alpha) * lv;
    out[i] = Math.pow(10, s);
  }
  return [out, s];
}
