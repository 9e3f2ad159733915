/**
 * Pure edits of a document's graph: each takes a document and returns a new
 * one (documents are never mutated, so snapshots can be kept for undo).
 */
import type {
  IGraphEdge,
  IGraphNode,
  IWorkbenchDocument,
  Point
} from '../document/types';
import { type Catalogue } from './catalogue';

/** Nodes and the edges between them, as copied to the clipboard. */
export interface IGraphClip {
  nodes: IGraphNode[];
  edges: IGraphEdge[];
}

/** The conventional id of an edge. */
export function edgeId(edge: IGraphEdge): string {
  return `${edge.source}.${edge.sourcePort}->${edge.target}.${edge.targetPort}`;
}

/** The id of an edge: its own or the conventional one. */
export function idOf(edge: IGraphEdge): string {
  return edge.id ?? edgeId(edge);
}

/** A node id starting with `stem` that no node of `taken` has. */
export function uniqueId(stem: string, taken: Set<string>): string {
  const clean = stem.replace(/[^A-Za-z0-9_]/g, '_') || 'node';
  let k = 1;
  while (taken.has(`${clean}${k}`)) {
    k++;
  }
  return `${clean}${k}`;
}

function withGraph(
  doc: IWorkbenchDocument,
  nodes: IGraphNode[],
  edges: IGraphEdge[]
): IWorkbenchDocument {
  return { ...doc, graph: { ...doc.graph, nodes, edges } };
}

/** Add a node of `type` at `position`; returns the document and the new id. */
export function addNode(
  doc: IWorkbenchDocument,
  catalogue: Catalogue,
  type: string,
  position: Point
): [IWorkbenchDocument, string] {
  const taken = new Set(doc.graph.nodes.map(n => n.id));
  const id = uniqueId(type, taken);
  const node: IGraphNode = {
    id,
    type,
    params: catalogue.defaults(type),
    position: [Math.round(position[0]), Math.round(position[1])]
  };
  return [withGraph(doc, [...doc.graph.nodes, node], doc.graph.edges), id];
}

/** Remove nodes (with their edges) and edges. */
export function removeElements(
  doc: IWorkbenchDocument,
  nodeIds: Iterable<string>,
  edgeIds: Iterable<string> = []
): IWorkbenchDocument {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  return withGraph(
    doc,
    doc.graph.nodes.filter(n => !nodes.has(n.id)),
    doc.graph.edges.filter(
      e => !edges.has(idOf(e)) && !nodes.has(e.source) && !nodes.has(e.target)
    )
  );
}

/**
 * Wire an output to an input; an input takes one wire, so an existing wire
 * into the same input is replaced.
 */
export function connect(
  doc: IWorkbenchDocument,
  edge: IGraphEdge
): IWorkbenchDocument {
  const kept = doc.graph.edges.filter(
    e => !(e.target === edge.target && e.targetPort === edge.targetPort)
  );
  const wire = { ...edge, id: edgeId(edge) };
  return withGraph(doc, doc.graph.nodes, [...kept, wire]);
}

/**
 * Why `edge` cannot be wired in `doc` (null when it can): an unknown node or
 * port, a node wired to itself, or port types the catalogue does not match.
 */
export function wireRefusal(
  doc: IWorkbenchDocument,
  catalogue: Catalogue,
  edge: IGraphEdge
): string | null {
  if (edge.source === edge.target) {
    return `node ${edge.source} cannot feed itself`;
  }
  const source = doc.graph.nodes.find(n => n.id === edge.source);
  const target = doc.graph.nodes.find(n => n.id === edge.target);
  if (!source || !target) {
    return `no node ${source ? edge.target : edge.source}`;
  }
  const out = catalogue.outputs(source).find(p => p.name === edge.sourcePort);
  if (!out) {
    return `node ${source.id} has no output ${edge.sourcePort}`;
  }
  const input = catalogue.inputs(target).find(p => p.name === edge.targetPort);
  if (!input) {
    return `node ${target.id} has no input ${edge.targetPort}`;
  }
  if (!catalogue.accepts(input.type, out.type)) {
    return (
      `${target.id}.${input.name} takes ${input.type}, ` +
      `not ${out.type} (from ${source.id}.${out.name})`
    );
  }
  return null;
}

/** Move nodes to new positions. */
export function moveNodes(
  doc: IWorkbenchDocument,
  positions: Map<string, Point>
): IWorkbenchDocument {
  const nodes = doc.graph.nodes.map(n => {
    const p = positions.get(n.id);
    return p
      ? { ...n, position: [Math.round(p[0]), Math.round(p[1])] as Point }
      : n;
  });
  return withGraph(doc, nodes, doc.graph.edges);
}

/**
 * Set (or, with `undefined`, clear) a parameter of a node. Wires into
 * dynamic inputs that no longer exist are dropped.
 */
export function setParam(
  doc: IWorkbenchDocument,
  catalogue: Catalogue,
  nodeId: string,
  name: string,
  value: unknown
): IWorkbenchDocument {
  let changed: IGraphNode | undefined;
  const nodes = doc.graph.nodes.map(n => {
    if (n.id !== nodeId) {
      return n;
    }
    const params = { ...(n.params ?? {}) };
    if (value === undefined) {
      delete params[name];
    } else {
      params[name] = value;
    }
    changed = { ...n, params };
    return changed;
  });
  if (!changed) {
    return doc;
  }
  const ports = new Set(catalogue.inputs(changed).map(p => p.name));
  const edges = doc.graph.edges.filter(
    e => e.target !== nodeId || ports.has(e.targetPort)
  );
  return withGraph(doc, nodes, edges);
}

/** Set or clear the display label of a node. */
export function setLabel(
  doc: IWorkbenchDocument,
  nodeId: string,
  label: string
): IWorkbenchDocument {
  const nodes = doc.graph.nodes.map(n => {
    if (n.id !== nodeId) {
      return n;
    }
    const next = { ...n };
    if (label) {
      next.label = label;
    } else {
      delete next.label;
    }
    return next;
  });
  return withGraph(doc, nodes, doc.graph.edges);
}

/** The given nodes and the edges between them. */
export function copyNodes(
  doc: IWorkbenchDocument,
  nodeIds: Iterable<string>
): IGraphClip {
  const ids = new Set(nodeIds);
  return {
    nodes: doc.graph.nodes.filter(n => ids.has(n.id)),
    edges: doc.graph.edges.filter(e => ids.has(e.source) && ids.has(e.target))
  };
}

/**
 * Paste a clip, offset by `offset`, with fresh ids; returns the document and
 * the ids of the pasted nodes.
 */
export function pasteClip(
  doc: IWorkbenchDocument,
  clip: IGraphClip,
  offset: Point
): [IWorkbenchDocument, string[]] {
  const taken = new Set(doc.graph.nodes.map(n => n.id));
  const renamed = new Map<string, string>();
  const nodes = clip.nodes.map(n => {
    const stem = n.id.replace(/\d+$/, '') || n.type;
    const id = uniqueId(stem, taken);
    taken.add(id);
    renamed.set(n.id, id);
    const [x, y] = n.position ?? [0, 0];
    return { ...n, id, position: [x + offset[0], y + offset[1]] as Point };
  });
  const edges = clip.edges.map(e => {
    const wire = {
      ...e,
      source: renamed.get(e.source) ?? e.source,
      target: renamed.get(e.target) ?? e.target
    };
    return { ...wire, id: edgeId(wire) };
  });
  return [
    withGraph(
      doc,
      [...doc.graph.nodes, ...nodes],
      [...doc.graph.edges, ...edges]
    ),
    nodes.map(n => n.id)
  ];
}
