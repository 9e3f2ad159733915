/**
 * The workbench document (`*.jnolab`) as TypeScript types, mirroring
 * `jno_lab/workbench/document.schema.json`.
 */

/** A 2-D point or a [min, max] range. */
export type Point = [number, number];

/** Kinds of geometry primitives. */
export type PrimitiveType =
  'interval' | 'rectangle' | 'circle' | 'ellipse' | 'polygon';

/** One geometry primitive; which fields are used depends on `type`. */
export interface IPrimitive {
  id: string;
  type: PrimitiveType;
  /** Rectangle / interval: x range. */
  x?: Point;
  /** Rectangle: y range. */
  y?: Point;
  /** Circle / ellipse centre. */
  center?: Point;
  /** Circle radius. */
  radius?: number;
  /** Ellipse radii. */
  radii?: Point;
  /** Ellipse rotation in degrees. */
  angle?: number;
  /** Polygon vertices. */
  points?: Point[];
}

/** Boolean operations of the CSG tree. */
export type CsgOp =
  'union' | 'difference' | 'intersection' | 'symmetric_difference';

/** An operation of the CSG tree. */
export interface ICsgOperation {
  op: CsgOp;
  args: CsgNode[];
}

/** A CSG tree: a primitive id or an operation. */
export type CsgNode = string | ICsgOperation;

/** A named boundary or region tag. */
export interface ITag {
  name: string;
  /** An expression of x, y (the predicate grammar, not Python) selecting the points. */
  predicate?: string;
  /** Boundary segments [[a, b], ...]. */
  edges?: [Point, Point][];
  /** A primitive whose region is the tag. */
  primitive?: string;
}

/** The time axis of a time-dependent problem. */
export interface ITimeAxis {
  t0: number;
  t1: number;
  steps: number;
}

/** The geometry section. */
export interface IGeometry {
  dimension: 1 | 2;
  primitives: IPrimitive[];
  csg: CsgNode;
  tags?: ITag[];
  sampling?: Record<string, number>;
  mesh_size?: number;
  time?: ITimeAxis | null;
}

/** A node of the expression graph. */
export interface IGraphNode {
  id: string;
  type: string;
  params?: Record<string, unknown>;
  position?: Point;
  label?: string;
}

/** A wire from an output port to an input port. */
export interface IGraphEdge {
  id?: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

/** The expression graph. */
export interface IGraph {
  nodes: IGraphNode[];
  edges: IGraphEdge[];
}

/** Learning-rate schedule kinds. */
export type ScheduleKind =
  | 'constant'
  | 'exponential'
  | 'cosine'
  | 'warmup_cosine'
  | 'piecewise_constant'
  | 'dlrs';

/** A learning-rate schedule: its kind and the arguments of its constructor. */
export interface ISchedule {
  kind: ScheduleKind;
  [arg: string]: unknown;
}

/** Optimizers a phase may use. */
export type Optimizer =
  'adam' | 'adamw' | 'sgd' | 'rmsprop' | 'lion' | 'adabelief';

/** One phase of the training plan. */
export interface IPhase {
  name?: string;
  optimizer?: Optimizer;
  learning_rate?: number | ISchedule;
  epochs: number;
  weights?: number[] | null;
  batchsize?: number | null;
  inner_steps?: number;
}

/** A whole workbench document. */
export interface IWorkbenchDocument {
  format: 'jno-lab-workbench';
  version: number;
  meta?: { title?: string; description?: string };
  seed?: number;
  mesh?: [number, number];
  geometry: IGeometry;
  graph: IGraph;
  training: { phases: IPhase[] };
  layout?: Record<string, unknown>;
}

/** The document `format` value. */
export const DOCUMENT_FORMAT = 'jno-lab-workbench';

/** The document format version this editor writes. */
export const DOCUMENT_VERSION = 1;

/**
 * An empty, valid document: the unit square, no nodes, one training phase
 * (the same as `jno_lab.workbench.new_document`).
 */
export function newDocument(title = 'Untitled'): IWorkbenchDocument {
  return {
    format: DOCUMENT_FORMAT,
    version: DOCUMENT_VERSION,
    meta: { title, description: '' },
    seed: 42,
    mesh: [1, 1],
    geometry: {
      dimension: 2,
      primitives: [{ id: 'square', type: 'rectangle', x: [0, 1], y: [0, 1] }],
      csg: 'square',
      tags: [],
      sampling: { interior: 1024, boundary: 256 },
      time: null
    },
    graph: { nodes: [], edges: [] },
    training: {
      phases: [{ optimizer: 'adam', learning_rate: 1e-3, epochs: 1000 }]
    },
    layout: {}
  };
}

/** The text of a document as it is saved (indented JSON, final newline). */
export function serialize(doc: IWorkbenchDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * Parse document text; throws an Error saying what is wrong when the text is
 * not a workbench document.
 */
export function parseDocument(text: string): IWorkbenchDocument {
  if (!text.trim()) {
    return newDocument();
  }
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('a workbench document is a JSON object');
  }
  const doc = value as Partial<IWorkbenchDocument>;
  if (doc.format !== DOCUMENT_FORMAT) {
    throw new Error(
      `not a workbench document: format must be "${DOCUMENT_FORMAT}"`
    );
  }
  if (!doc.graph || !doc.geometry || !doc.training) {
    throw new Error('a workbench document needs geometry, graph and training');
  }
  return doc as IWorkbenchDocument;
}
