/**
 * The document's graph as React Flow elements: nodes (kept stable while their
 * inputs do not change) and edges coloured by port type.
 */
import type { Edge } from '@xyflow/react';

import type { IGraphEdge, IGraphNode, Point } from '../document/types';
import type { Catalogue } from '../model/catalogue';
import { idOf } from '../model/graphEdits';
import type { IProblem } from '../protocol';
import type { INodeData, WorkbenchFlowNode } from './NodeView';
import { portColor } from './ports';

/** The first few scalar parameters of a node, as `name=value` text. */
function summary(node: IGraphNode): string {
  const params = node.params ?? {};
  return Object.entries(params)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 3)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`)
    .join(', ');
}

/** Problems grouped by node id. */
export function problemsByNode(
  problems: readonly IProblem[]
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of problems) {
    if (p.node_id) {
      const list = out.get(p.node_id) ?? [];
      list.push(p.message);
      out.set(p.node_id, list);
    }
  }
  return out;
}

/** Keeps flow-node objects stable while their inputs do not change. */
export class FlowNodeCache {
  get(
    node: IGraphNode,
    catalogue: Catalogue,
    problems: string[] | undefined,
    selected: boolean
  ): WorkbenchFlowNode {
    const key = (problems ?? []).join('\n');
    const hit = this._cache.get(node.id);
    if (hit && hit.source === node && hit.key === key) {
      if (hit.flow.selected !== selected) {
        hit.flow = { ...hit.flow, selected };
      }
      return hit.flow;
    }
    const spec = catalogue.get(node.type);
    const data: INodeData = {
      node,
      title: spec?.title ?? `Unknown type “${node.type}”`,
      inputs: catalogue.inputs(node),
      outputs: catalogue.outputs(node),
      problems: problems ?? [],
      summary: summary(node),
      code: !!spec?.code && node.params?.code === true
    };
    const [x, y] = node.position ?? [0, 0];
    const flow: WorkbenchFlowNode = {
      id: node.id,
      type: 'workbench',
      position: { x, y },
      data,
      selected
    };
    this._cache.set(node.id, { source: node, key, flow });
    return flow;
  }

  /** Keep the measured size React Flow reported for a node. */
  withMeasured(
    id: string,
    measured: WorkbenchFlowNode['measured']
  ): WorkbenchFlowNode {
    const hit = this._cache.get(id);
    if (!hit) {
      throw new Error(`no cached node ${id}`);
    }
    hit.flow = { ...hit.flow, measured };
    return hit.flow;
  }

  private _cache = new Map<
    string,
    { source: IGraphNode; key: string; flow: WorkbenchFlowNode }
  >();
}

/** `start`, or the first place right of / below it that no node covers. */
export function freeSpot(nodes: IGraphNode[], start: Point): Point {
  const taken = (p: Point): boolean =>
    nodes.some(n => {
      const [x, y] = n.position ?? [0, 0];
      return Math.abs(x - p[0]) < 190 && Math.abs(y - p[1]) < 110;
    });
  for (let row = 0; row < 6; row++) {
    for (let col = 0; col < 4; col++) {
      const p: Point = [start[0] + col * 200, start[1] + row * 120];
      if (!taken(p)) {
        return p;
      }
    }
  }
  return start;
}

/** The React Flow edge of a document edge, coloured by its output's type. */
export function toFlowEdge(
  edge: IGraphEdge,
  catalogue: Catalogue,
  nodes: Map<string, IGraphNode>,
  selected: boolean
): Edge {
  const source = nodes.get(edge.source);
  const port = source
    ? catalogue.outputs(source).find(p => p.name === edge.sourcePort)
    : undefined;
  return {
    id: idOf(edge),
    source: edge.source,
    sourceHandle: edge.sourcePort,
    target: edge.target,
    targetHandle: edge.targetPort,
    selected,
    style: { stroke: portColor(port?.type ?? ''), strokeWidth: 2 }
  };
}
