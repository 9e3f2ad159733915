/**
 * The 2-D view of the geometry canvas: world coordinates (y up) to screen
 * pixels (y down), zoom about a point, fitting bounds, grid steps.
 */
import type { IPrimitive, Point } from '../document/types';
import { DRAWINGS } from './primitiveShapes';

/** Where the view looks: the world point at the centre and pixels per unit. */
export interface IViewport {
  cx: number;
  cy: number;
  scale: number;
}

/** Screen pixels of a world point in a `width` × `height` canvas. */
export function toScreen(
  v: IViewport,
  width: number,
  height: number,
  p: Point
): Point {
  return [
    width / 2 + (p[0] - v.cx) * v.scale,
    height / 2 - (p[1] - v.cy) * v.scale
  ];
}

/** World point of screen pixels. */
export function toWorld(
  v: IViewport,
  width: number,
  height: number,
  s: Point
): Point {
  return [
    v.cx + (s[0] - width / 2) / v.scale,
    v.cy - (s[1] - height / 2) / v.scale
  ];
}

/** Zoom by `factor` keeping the world point under screen point `s` fixed. */
export function zoomAt(
  v: IViewport,
  width: number,
  height: number,
  s: Point,
  factor: number
): IViewport {
  const scale = Math.min(1e6, Math.max(1e-3, v.scale * factor));
  const anchor = toWorld(v, width, height, s);
  return {
    scale,
    cx: anchor[0] - (s[0] - width / 2) / scale,
    cy: anchor[1] + (s[1] - height / 2) / scale
  };
}

/** [xmin, ymin, xmax, ymax] of primitives (null when there are none). */
export function primitiveBounds(primitives: IPrimitive[]): number[] | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const p of primitives) {
    const extent = DRAWINGS[p.type]?.extent(p);
    if (extent) {
      xs.push(...extent[0]);
      ys.push(...extent[1]);
    }
  }
  if (!xs.length) {
    return null;
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** A viewport showing `bounds` with a margin. */
export function fitBounds(
  bounds: number[] | null,
  width: number,
  height: number
): IViewport {
  const [x0, y0, x1, y1] = bounds ?? [0, 0, 1, 1];
  const w = Math.max(x1 - x0, 1e-6);
  const h = Math.max(y1 - y0, 1e-6);
  const scale = Math.max(1e-3, 0.8 * Math.min(width / w, height / h));
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, scale };
}

/** A round grid step giving lines about 40 px apart or more. */
export function gridStep(scale: number): number {
  const raw = 40 / scale;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) {
    if (m * power >= raw) {
      return m * power;
    }
  }
  return 10 * power;
}

/** `value` rounded to the grid `step` (and to 12 significant digits). */
export function snap(value: number, step: number): number {
  return +(Math.round(value / step) * step).toPrecision(12);
}
