/**
 * Pure edits of a document's geometry section: primitives, the CSG tree,
 * tags, time axis and sampling.
 */
import type {
  CsgNode,
  CsgOp,
  ICsgOperation,
  IGeometry,
  IPrimitive,
  ITag,
  ITimeAxis,
  IWorkbenchDocument,
  Point
} from '../document/types';
import { uniqueId } from './graphEdits';

/** How a new shape joins the domain. */
export type CombineMode = 'union' | 'difference' | 'intersection';

function withGeometry(
  doc: IWorkbenchDocument,
  geometry: IGeometry
): IWorkbenchDocument {
  return { ...doc, geometry };
}

/** A primitive moved by (dx, dy). */
export function translated(p: IPrimitive, dx: number, dy: number): IPrimitive {
  const shift = (q: Point): Point => [q[0] + dx, q[1] + dy];
  const out: IPrimitive = { ...p };
  if (p.x && p.type !== 'interval') {
    out.x = [p.x[0] + dx, p.x[1] + dx];
  }
  if (p.y) {
    out.y = [p.y[0] + dy, p.y[1] + dy];
  }
  if (p.center) {
    out.center = shift(p.center);
  }
  if (p.points) {
    out.points = p.points.map(shift);
  }
  return out;
}

/** Add a primitive and join it to the CSG tree with `mode`; returns the new id. */
export function addPrimitive(
  doc: IWorkbenchDocument,
  primitive: Omit<IPrimitive, 'id'>,
  mode: CombineMode
): [IWorkbenchDocument, string] {
  const g = doc.geometry;
  const id = uniqueId(primitive.type, new Set(g.primitives.map(p => p.id)));
  const created = { id, ...primitive } as IPrimitive;
  let csg: CsgNode;
  if (!g.primitives.length) {
    csg = id;
  } else if (
    typeof g.csg !== 'string' &&
    g.csg.op === mode &&
    mode !== 'difference'
  ) {
    csg = { ...g.csg, args: [...g.csg.args, id] };
  } else if (
    typeof g.csg !== 'string' &&
    g.csg.op === 'difference' &&
    mode === 'difference'
  ) {
    csg = { ...g.csg, args: [...g.csg.args, id] };
  } else {
    csg = { op: mode, args: [g.csg, id] };
  }
  return [
    withGeometry(doc, { ...g, primitives: [...g.primitives, created], csg }),
    id
  ];
}

/** Replace primitive `id` with `next` (same id). */
export function replacePrimitive(
  doc: IWorkbenchDocument,
  id: string,
  next: IPrimitive
): IWorkbenchDocument {
  const g = doc.geometry;
  return withGeometry(doc, {
    ...g,
    primitives: g.primitives.map(p => (p.id === id ? { ...next, id } : p))
  });
}

/** The CSG tree without leaf `id`; operations left with one argument collapse. */
export function pruneCsg(tree: CsgNode, id: string): CsgNode | null {
  if (typeof tree === 'string') {
    return tree === id ? null : tree;
  }
  const args = tree.args
    .map(a => pruneCsg(a, id))
    .filter((a): a is CsgNode => a !== null);
  if (!args.length) {
    return null;
  }
  if (args.length === 1) {
    return args[0];
  }
  return { ...tree, args };
}

/**
 * Remove a primitive (from the primitives, the CSG tree, and tags bound to
 * it). The last primitive cannot be removed: a geometry needs one.
 */
export function removePrimitive(
  doc: IWorkbenchDocument,
  id: string
): IWorkbenchDocument {
  const g = doc.geometry;
  if (g.primitives.length <= 1) {
    return doc;
  }
  const primitives = g.primitives.filter(p => p.id !== id);
  const csg = pruneCsg(g.csg, id) ?? primitives[0].id;
  const tags = (g.tags ?? []).filter(t => t.primitive !== id);
  return withGeometry(doc, { ...g, primitives, csg, tags });
}

function mapAt(
  tree: CsgNode,
  path: number[],
  change: (node: ICsgOperation) => CsgNode
): CsgNode {
  if (typeof tree === 'string') {
    return tree;
  }
  if (!path.length) {
    return change(tree);
  }
  const [head, ...rest] = path;
  return {
    ...tree,
    args: tree.args.map((a, i) => (i === head ? mapAt(a, rest, change) : a))
  };
}

/** Change the operation of the CSG node at `path` (argument indices from the root). */
export function setCsgOp(
  doc: IWorkbenchDocument,
  path: number[],
  op: CsgOp
): IWorkbenchDocument {
  const csg = mapAt(doc.geometry.csg, path, node => ({ ...node, op }));
  return withGeometry(doc, { ...doc.geometry, csg });
}

/** Move argument `index` of the CSG node at `path` by `offset` places. */
export function moveCsgArg(
  doc: IWorkbenchDocument,
  path: number[],
  index: number,
  offset: number
): IWorkbenchDocument {
  const csg = mapAt(doc.geometry.csg, path, node => {
    const target = index + offset;
    if (target < 0 || target >= node.args.length) {
      return node;
    }
    const args = [...node.args];
    [args[index], args[target]] = [args[target], args[index]];
    return { ...node, args };
  });
  return withGeometry(doc, { ...doc.geometry, csg });
}

/** Add a tag named after `stem` (unique); returns its index. */
export function addTag(
  doc: IWorkbenchDocument,
  tag: Omit<ITag, 'name'>,
  stem = 'tag'
): [IWorkbenchDocument, number] {
  const tags = doc.geometry.tags ?? [];
  const name = uniqueId(stem, new Set(tags.map(t => t.name)));
  return [
    withGeometry(doc, { ...doc.geometry, tags: [...tags, { name, ...tag }] }),
    tags.length
  ];
}

/** Replace tag `index`. */
export function replaceTag(
  doc: IWorkbenchDocument,
  index: number,
  tag: ITag
): IWorkbenchDocument {
  const tags = (doc.geometry.tags ?? []).map((t, i) => (i === index ? tag : t));
  return withGeometry(doc, { ...doc.geometry, tags });
}

/** Remove tag `index`. */
export function removeTag(
  doc: IWorkbenchDocument,
  index: number
): IWorkbenchDocument {
  const tags = (doc.geometry.tags ?? []).filter((_, i) => i !== index);
  return withGeometry(doc, { ...doc.geometry, tags });
}

function sameSegment(a: [Point, Point], b: [Point, Point]): boolean {
  const eq = (p: Point, q: Point): boolean =>
    Math.abs(p[0] - q[0]) < 1e-9 && Math.abs(p[1] - q[1]) < 1e-9;
  return (
    (eq(a[0], b[0]) && eq(a[1], b[1])) || (eq(a[0], b[1]) && eq(a[1], b[0]))
  );
}

/** Add a boundary segment to tag `index`, or remove it when the tag has it. */
export function toggleTagEdge(
  doc: IWorkbenchDocument,
  index: number,
  segment: [Point, Point]
): IWorkbenchDocument {
  const tag = (doc.geometry.tags ?? [])[index];
  if (!tag) {
    return doc;
  }
  const edges = tag.edges ?? [];
  const has = edges.some(e => sameSegment(e, segment));
  const next: ITag = { name: tag.name };
  const kept = has
    ? edges.filter(e => !sameSegment(e, segment))
    : [...edges, segment];
  if (kept.length) {
    next.edges = kept;
  }
  return replaceTag(doc, index, next);
}

/** Set or remove the time axis. */
export function setTime(
  doc: IWorkbenchDocument,
  time: ITimeAxis | null
): IWorkbenchDocument {
  return withGeometry(doc, { ...doc.geometry, time });
}

/** Set (or with null, clear) the sample count of a tag. */
export function setSampling(
  doc: IWorkbenchDocument,
  tag: string,
  count: number | null
): IWorkbenchDocument {
  const sampling = { ...(doc.geometry.sampling ?? {}) };
  if (count === null) {
    delete sampling[tag];
  } else {
    sampling[tag] = count;
  }
  return withGeometry(doc, { ...doc.geometry, sampling });
}

/** Replace the whole interval of a 1-D geometry. */
export function setInterval1d(
  doc: IWorkbenchDocument,
  x: Point,
  meshSize: number | null
): IWorkbenchDocument {
  const g = doc.geometry;
  const primitives = g.primitives.map(p =>
    p.type === 'interval' ? { ...p, x } : p
  );
  const next: IGeometry = { ...g, primitives };
  if (meshSize === null) {
    delete next.mesh_size;
  } else {
    next.mesh_size = meshSize;
  }
  return withGeometry(doc, next);
}

/**
 * The angle in degrees (in (-180, 180]) that turns an ellipse about `center`
 * so that its second axis (+y at angle 0) points at `p`; rounded to
 * multiples of `step` degrees when `step` > 0.
 */
export function ellipseAngleTowards(center: Point, p: Point, step = 0): number {
  const dx = p[0] - center[0];
  const dy = p[1] - center[1];
  if (dx === 0 && dy === 0) {
    return 0;
  }
  let angle = (Math.atan2(dy, dx) * 180) / Math.PI - 90;
  if (step > 0) {
    angle = Math.round(angle / step) * step;
  }
  angle = ((((angle + 180) % 360) + 360) % 360) - 180;
  return angle === -180 ? 180 : +angle.toPrecision(12);
}
