/**
 * The geometry catalogue (a snapshot of `jno_lab.workbench.catalogue.geometry`):
 * every primitive type with its fields, defaults, edit handles and help, and
 * the CSG operations.
 */
import geometryJson from '../geometryCatalogue.json';
import type { CsgOp, IPrimitive, PrimitiveType } from '../document/types';

/** One field of a primitive type. */
export interface IGeometryFieldSpec {
  name: string;
  /** 'number', 'point', 'range' or 'points'. */
  kind: string;
  /** What the property panel calls it (two labels for a pair). */
  labels: string[];
  default: unknown;
  required: boolean;
  /** Whether only values above zero are accepted. */
  positive: boolean;
  doc: string;
}

/** A point the canvas lets the user drag to change a selected primitive. */
export interface IHandleSpec {
  /** The handle's name; for a 'vertex' handle the prefix of one per point. */
  id: string;
  /** 'corner', 'radius', 'axis', 'rotate' or 'vertex'. */
  kind: string;
  fields: string[];
  index?: number[];
  anchor?: string;
}

/** One primitive type of the catalogue. */
export interface IPrimitiveSpec {
  type: PrimitiveType;
  title: string;
  dimension: number;
  /** The canvas tool's keyboard shortcut ('' without a tool). */
  key: string;
  /** How to draw it on the canvas ('' without a tool). */
  drawHelp: string;
  doc: string;
  fields: IGeometryFieldSpec[];
  handles: IHandleSpec[];
}

/** The whole geometry catalogue. */
export interface IGeometryCatalogue {
  version: number;
  fieldKinds: Record<string, string>;
  handleKinds: Record<string, string>;
  csgOps: { op: CsgOp; doc: string }[];
  primitives: IPrimitiveSpec[];
}

/** The snapshot shipped with the extension. */
export const GEOMETRY_CATALOGUE = geometryJson as IGeometryCatalogue;

/** The CSG operations, in catalogue order. */
export const CSG_OPS: CsgOp[] = GEOMETRY_CATALOGUE.csgOps.map(o => o.op);

/** The definition of primitive type `type` (undefined when unknown). */
export function primitiveSpec(type: string): IPrimitiveSpec | undefined {
  return GEOMETRY_CATALOGUE.primitives.find(p => p.type === type);
}

/** The primitive types drawn with a canvas tool (2-D, with a shortcut). */
export function drawingTools(): IPrimitiveSpec[] {
  return GEOMETRY_CATALOGUE.primitives.filter(
    p => p.dimension === 2 && p.key !== ''
  );
}

/** A new primitive of type `type` (no id), every field at its default. */
export function newPrimitive(type: PrimitiveType): Omit<IPrimitive, 'id'> {
  const out: Record<string, unknown> = { type };
  for (const field of primitiveSpec(type)?.fields ?? []) {
    out[field.name] = structuredCopy(field.default);
  }
  return out as unknown as Omit<IPrimitive, 'id'>;
}

/** Field `name` of a primitive, read by name (undefined when absent). */
export function fieldValue(p: IPrimitive, name: string): unknown {
  return (p as unknown as Record<string, unknown>)[name];
}

function structuredCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
