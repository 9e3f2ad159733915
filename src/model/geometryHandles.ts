/**
 * The edit handles of a selected primitive, from its catalogue definition:
 * where each one is drawn and what dragging it does, per handle kind.
 */
import type { IPrimitive, Point } from '../document/types';
import {
  fieldValue,
  type IHandleSpec,
  type IPrimitiveSpec,
  primitiveSpec
} from './geometryCatalogue';
import { ellipseAngleTowards } from './geometryEdits';

/** Pixels between the end of the second axis and the rotation handle. */
export const ROTATE_HANDLE_PX = 24;

/** A handle of one primitive: its name, position and definition. */
export interface IHandle {
  name: string;
  at: Point;
  spec: IHandleSpec;
}

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

function num(p: IPrimitive, name: string): number | undefined {
  const v = fieldValue(p, name);
  return typeof v === 'number' ? v : undefined;
}

function pt(p: IPrimitive, name: string | undefined): Point | undefined {
  const v = name === undefined ? undefined : fieldValue(p, name);
  return Array.isArray(v) ? (v as Point) : undefined;
}

/** The primitive's turn in radians (its rotate handle's field; 0 without). */
function turn(p: IPrimitive, spec: IPrimitiveSpec): number {
  const rotate = spec.handles.find(h => h.kind === 'rotate');
  const degrees = rotate ? (num(p, rotate.fields[0]) ?? 0) : 0;
  return (degrees * Math.PI) / 180;
}

/** The unit vector of axis `k` (0: x, 1: y) turned by `a` radians. */
function axisUnit(k: number, a: number): Point {
  return k === 0 ? [Math.cos(a), Math.sin(a)] : [-Math.sin(a), Math.cos(a)];
}

/** Where the drag handles of `p` are (not its rotation handle). */
export function handlesOf(p: IPrimitive): IHandle[] {
  const spec = primitiveSpec(p.type);
  const out: IHandle[] = [];
  for (const h of spec?.handles ?? []) {
    const anchor = pt(p, h.anchor);
    const [f0, f1] = h.fields;
    if (h.kind === 'corner') {
      const x = pt(p, f0);
      const y = pt(p, f1);
      const [i, j] = h.index ?? [0, 0];
      if (x && y) {
        out.push({ name: h.id, at: [x[i], y[j]], spec: h });
      }
    } else if (h.kind === 'radius') {
      const r = num(p, f0);
      if (anchor && r) {
        out.push({ name: h.id, at: [anchor[0] + r, anchor[1]], spec: h });
      }
    } else if (h.kind === 'axis' && spec) {
      const radii = pt(p, f0);
      const k = (h.index ?? [0])[0];
      if (anchor && radii) {
        const u = axisUnit(k, turn(p, spec));
        const at: Point = [
          anchor[0] + radii[k] * u[0],
          anchor[1] + radii[k] * u[1]
        ];
        out.push({ name: h.id, at, spec: h });
      }
    } else if (h.kind === 'vertex') {
      const points = fieldValue(p, f0) as Point[] | undefined;
      (points ?? []).forEach((q, i) =>
        out.push({ name: `${h.id}${i}`, at: q, spec: h })
      );
    }
  }
  return out;
}

/** Where the rotation handle of `p` is, `ROTATE_HANDLE_PX` beyond its second axis. */
export function rotationHandle(p: IPrimitive, scale: number): Point | null {
  const spec = primitiveSpec(p.type);
  const rotate = spec?.handles.find(h => h.kind === 'rotate');
  const anchor = pt(p, rotate?.anchor);
  if (!spec || !rotate || !anchor) {
    return null;
  }
  const second = spec.handles.find(
    h => h.kind === 'axis' && (h.index ?? [0])[0] === 1
  );
  const radii = second ? pt(p, second.fields[0]) : undefined;
  if (second && !radii) {
    return null;
  }
  const r = (radii ? radii[1] : 0) + ROTATE_HANDLE_PX / scale;
  const u = axisUnit(1, turn(p, spec));
  return [anchor[0] + r * u[0], anchor[1] + r * u[1]];
}

/** The handle called `name` of `p` (the rotation handle too). */
export function handleSpec(p: IPrimitive, name: string): IHandleSpec | null {
  const handles = primitiveSpec(p.type)?.handles ?? [];
  const exact = handles.find(h => h.id === name && h.kind !== 'vertex');
  return (
    exact ??
    handles.find(
      h => h.kind === 'vertex' && /^\d+$/.test(name.slice(h.id.length))
    ) ??
    null
  );
}

/**
 * The primitive after dragging its handle `name` to `p`; a rotation turns in
 * steps of `rotateStep` degrees when it is above 0.
 */
export function dragged(
  original: IPrimitive,
  name: string,
  p: Point,
  rotateStep = 0
): IPrimitive {
  const h = handleSpec(original, name);
  const spec = primitiveSpec(original.type);
  if (!h || !spec) {
    return original;
  }
  const anchor = pt(original, h.anchor);
  const [f0, f1] = h.fields;
  if (h.kind === 'corner') {
    const x: Point = [...(pt(original, f0) as Point)];
    const y: Point = [...(pt(original, f1) as Point)];
    const [i, j] = h.index ?? [0, 0];
    x[i] = p[0];
    y[j] = p[1];
    return {
      ...original,
      [f0]: [Math.min(...x), Math.max(...x)],
      [f1]: [Math.min(...y), Math.max(...y)]
    };
  }
  if (h.kind === 'radius' && anchor) {
    return {
      ...original,
      [f0]: Math.max(1e-9, +dist(anchor, p).toPrecision(12))
    };
  }
  if (h.kind === 'axis' && anchor) {
    const a = turn(original, spec);
    const dx = p[0] - anchor[0];
    const dy = p[1] - anchor[1];
    const local = [
      dx * Math.cos(a) + dy * Math.sin(a),
      -dx * Math.sin(a) + dy * Math.cos(a)
    ];
    const radii: Point = [...(pt(original, f0) as Point)];
    const k = (h.index ?? [0])[0];
    radii[k] = Math.max(1e-9, Math.abs(local[k]));
    return { ...original, [f0]: radii };
  }
  if (h.kind === 'rotate') {
    const center = anchor ?? [0, 0];
    return { ...original, [f0]: ellipseAngleTowards(center, p, rotateStep) };
  }
  if (h.kind === 'vertex') {
    const i = Number(name.slice(h.id.length));
    const points = fieldValue(original, f0) as Point[];
    return { ...original, [f0]: points.map((q, j) => (j === i ? p : q)) };
  }
  return original;
}
