/**
 * What the canvas needs of each primitive type beyond its catalogue entry:
 * the extent to fit in view and the shape a drag of its tool draws. (The SVG
 * element of each type is in `components/GeometryShape.tsx`.)
 */
import type { IPrimitive, Point, PrimitiveType } from '../document/types';
import { newPrimitive } from './geometryCatalogue';

/** Canvas behaviour of one primitive type. */
export interface IPrimitiveDrawing {
  /** The x and y coordinates the view must show (null when fields lack). */
  extent(p: IPrimitive): [number[], number[]] | null;
  /** The fields a drag from `a` to `b` sets (null: too small to draw). */
  fromDrag?(a: Point, b: Point): Partial<IPrimitive> | null;
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function box(a: Point, b: Point): [Point, Point] | null {
  const x: Point = [Math.min(a[0], b[0]), Math.max(a[0], b[0])];
  const y: Point = [Math.min(a[1], b[1]), Math.max(a[1], b[1])];
  return x[1] > x[0] && y[1] > y[0] ? [x, y] : null;
}

/** The canvas behaviour of every primitive type. */
export const DRAWINGS: Record<PrimitiveType, IPrimitiveDrawing> = {
  interval: {
    extent: p => (p.x ? [[...p.x], [0]] : null)
  },
  rectangle: {
    extent: p => (p.x && p.y ? [[...p.x], [...p.y]] : null),
    fromDrag: (a, b) => {
      const xy = box(a, b);
      return xy && { x: xy[0], y: xy[1] };
    }
  },
  circle: {
    extent: p =>
      p.center && p.radius
        ? [
            [p.center[0] - p.radius, p.center[0] + p.radius],
            [p.center[1] - p.radius, p.center[1] + p.radius]
          ]
        : null,
    fromDrag: (a, b) =>
      dist(a, b) > 0 ? { center: a, radius: +dist(a, b).toPrecision(12) } : null
  },
  ellipse: {
    extent: p => {
      if (!p.center || !p.radii) {
        return null;
      }
      const r = Math.max(...p.radii);
      return [
        [p.center[0] - r, p.center[0] + r],
        [p.center[1] - r, p.center[1] + r]
      ];
    },
    fromDrag: (a, b) =>
      box(a, b)
        ? {
            center: a,
            radii: [
              +Math.abs(b[0] - a[0]).toPrecision(12),
              +Math.abs(b[1] - a[1]).toPrecision(12)
            ]
          }
        : null
  },
  polygon: {
    extent: p =>
      p.points ? [p.points.map(q => q[0]), p.points.map(q => q[1])] : null
  }
};

/** The primitive a drag of tool `tool` from `a` to `b` makes (null when none). */
export function drawnPrimitive(
  tool: string,
  a: Point,
  b: Point
): Omit<IPrimitive, 'id'> | null {
  const drawing = DRAWINGS[tool as PrimitiveType];
  const fields = drawing?.fromDrag?.(a, b);
  return fields
    ? ({
        ...newPrimitive(tool as PrimitiveType),
        ...fields
      } as Omit<IPrimitive, 'id'>)
    : null;
}
