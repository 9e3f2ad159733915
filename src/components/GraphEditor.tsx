import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  MiniMap,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import * as React from 'react';

import type { IGraphEdge, IGraphNode, Point } from '../document/types';
import { layeredLayout } from '../model/autoLayout';
import type { Catalogue } from '../model/catalogue';
import {
  addNode,
  connect,
  copyNodes,
  type IGraphClip,
  idOf,
  moveNodes,
  pasteClip,
  removeElements,
  wireRefusal
} from '../model/graphEdits';
import type { WorkbenchModel } from '../model/workbenchModel';
import type { IProblem } from '../protocol';
import { ClassNames } from '../tokens';
import { HelpPopover } from './HelpPopover';
import { type INodeData, NodeView, type WorkbenchFlowNode } from './NodeView';
import { Palette } from './Palette';
import { NODE_DRAG_MIME, portColor } from './ports';
import { useSignal } from './useSignal';

/** Props of {@link GraphEditor}. */
export interface IGraphEditorProps {
  model: WorkbenchModel;
  catalogue: Catalogue;
  /** Rendered right of the canvas (the inspector). */
  aside?: React.ReactNode;
}

const NODE_TYPES = { workbench: NodeView };

/** Fitting never zooms in beyond 100 %, so a lone node keeps its size. */
const FIT_OPTIONS = { maxZoom: 1, padding: 0.15 };

/** The clipboard shared by every editor of the page. */
let clipboard: IGraphClip | null = null;

function summary(node: IGraphNode): string {
  const params = node.params ?? {};
  return Object.entries(params)
    .filter(([, v]) => v !== null && typeof v !== 'object')
    .slice(0, 3)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`)
    .join(', ');
}

/** Problems grouped by node id. */
function problemsByNode(problems: readonly IProblem[]): Map<string, string[]> {
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
class FlowNodeCache {
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
function freeSpot(nodes: IGraphNode[], start: Point): Point {
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

function toFlowEdge(
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

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'TEXTAREA' ||
      el.tagName === 'SELECT' ||
      el.isContentEditable)
  );
}

function GraphCanvasInner(props: IGraphEditorProps): JSX.Element {
  const { model, catalogue } = props;
  const flow = useReactFlow<WorkbenchFlowNode, Edge>();
  const doc = useSignal(model.changed, () => model.document);
  const selection = useSignal(model.selectionChanged, () => model.selection);
  const problems = useSignal(model.problemsChanged, () => model.problems);
  const cache = React.useRef(new FlowNodeCache()).current;
  const [nodes, setNodes] = React.useState<WorkbenchFlowNode[]>([]);
  const [edges, setEdges] = React.useState<Edge[]>([]);
  const [notice, setNotice] = React.useState('');
  const pasteCount = React.useRef(0);
  const wrapper = React.useRef<HTMLDivElement>(null);

  const nodeMap = React.useMemo(
    () => new Map(doc.graph.nodes.map(n => [n.id, n])),
    [doc.graph.nodes]
  );

  React.useEffect(() => {
    const byNode = problemsByNode(problems);
    setNodes(current => {
      const measured = new Map(current.map(n => [n.id, n.measured]));
      return doc.graph.nodes.map(n => {
        const flowNode = cache.get(
          n,
          catalogue,
          byNode.get(n.id),
          selection.has(n.id)
        );
        const size = measured.get(n.id);
        return size && !flowNode.measured
          ? cache.withMeasured(n.id, size)
          : flowNode;
      });
    });
  }, [doc.graph.nodes, problems, selection, catalogue]);

  React.useEffect(() => {
    setEdges(current => {
      const chosen = new Set(current.filter(e => e.selected).map(e => e.id));
      return doc.graph.edges.map(e =>
        toFlowEdge(e, catalogue, nodeMap, chosen.has(idOf(e)))
      );
    });
  }, [doc.graph.edges, nodeMap, catalogue]);

  React.useEffect(() => {
    if (!notice) {
      return;
    }
    const timer = window.setTimeout(() => setNotice(''), 4000);
    return () => window.clearTimeout(timer);
  }, [notice]);

  React.useEffect(() => {
    const onFocus = (_: unknown, id: string): void => {
      void flow.fitView({ nodes: [{ id }], duration: 250, maxZoom: 1.2 });
    };
    model.focusRequested.connect(onFocus);
    return () => {
      model.focusRequested.disconnect(onFocus);
    };
  }, [model, flow]);

  const onNodesChange = React.useCallback(
    (changes: NodeChange<WorkbenchFlowNode>[]) => {
      const kept = changes.filter(c => c.type !== 'remove');
      setNodes(current => applyNodeChanges(kept, current));
      if (kept.some(c => c.type === 'select')) {
        const selected = new Set(model.selection);
        for (const c of kept) {
          if (c.type === 'select') {
            if (c.selected) {
              selected.add(c.id);
            } else {
              selected.delete(c.id);
            }
          }
        }
        model.select(selected);
      }
    },
    [model]
  );

  const onEdgesChange = React.useCallback((changes: EdgeChange[]) => {
    setEdges(current =>
      applyEdgeChanges(
        changes.filter(c => c.type !== 'remove'),
        current
      )
    );
  }, []);

  const portsOf = React.useCallback(
    (c: Connection | Edge) => {
      const source = nodeMap.get(c.source);
      const target = nodeMap.get(c.target);
      const out = source
        ? catalogue.outputs(source).find(p => p.name === c.sourceHandle)
        : undefined;
      const input = target
        ? catalogue.inputs(target).find(p => p.name === c.targetHandle)
        : undefined;
      return { out, input };
    },
    [nodeMap, catalogue]
  );

  const isValidConnection = React.useCallback(
    (c: Connection | Edge) =>
      wireRefusal(model.document, catalogue, {
        source: c.source,
        sourcePort: c.sourceHandle ?? '',
        target: c.target,
        targetPort: c.targetHandle ?? ''
      }) === null,
    [model, catalogue]
  );

  const onConnect = React.useCallback(
    (c: Connection) => {
      if (!c.sourceHandle || !c.targetHandle) {
        return;
      }
      const edge: IGraphEdge = {
        source: c.source,
        sourcePort: c.sourceHandle,
        target: c.target,
        targetPort: c.targetHandle
      };
      model.edit(doc => connect(doc, edge));
    },
    [model]
  );

  const onConnectEnd = React.useCallback(
    (_: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromHandle || !state.toHandle) {
        return;
      }
      const from = state.fromHandle;
      const to = state.toHandle;
      const c =
        from.type === 'source'
          ? {
              source: from.nodeId,
              sourceHandle: from.id ?? null,
              target: to.nodeId,
              targetHandle: to.id ?? null
            }
          : {
              source: to.nodeId,
              sourceHandle: to.id ?? null,
              target: from.nodeId,
              targetHandle: from.id ?? null
            };
      const { out, input } = portsOf(c);
      if (out && input) {
        setNotice(
          `Refused: ${c.source}.${out.name} (${out.type}) cannot feed ` +
            `${c.target}.${input.name}, which takes ${catalogue.data.accepts[input.type]?.join(' or ') ?? input.type}.`
        );
      } else if (c.source === c.target) {
        setNotice('Refused: a node cannot feed itself.');
      }
    },
    [portsOf, catalogue]
  );

  const onNodeDragStop = React.useCallback(
    (_: unknown, __: WorkbenchFlowNode, dragged: WorkbenchFlowNode[]) => {
      const positions = new Map<string, Point>(
        dragged.map(n => [n.id, [n.position.x, n.position.y]])
      );
      model.edit(doc => moveNodes(doc, positions));
    },
    [model]
  );

  const centre = React.useCallback((): Point => {
    const box = wrapper.current?.getBoundingClientRect();
    if (!box) {
      return [0, 0];
    }
    const p = flow.screenToFlowPosition({
      x: box.left + box.width / 2,
      y: box.top + box.height / 2
    });
    return [p.x - 80, p.y - 40];
  }, [flow]);

  const add = React.useCallback(
    (type: string, at?: Point) => {
      let created = '';
      model.edit(doc => {
        const where = at ?? freeSpot(doc.graph.nodes, centre());
        const [next, id] = addNode(doc, catalogue, type, where);
        created = id;
        return next;
      });
      if (created) {
        model.select([created]);
      }
    },
    [model, catalogue, centre]
  );

  const onDrop = React.useCallback(
    (event: React.DragEvent) => {
      const type = event.dataTransfer.getData(NODE_DRAG_MIME);
      if (!type) {
        return;
      }
      event.preventDefault();
      const p = flow.screenToFlowPosition({
        x: event.clientX,
        y: event.clientY
      });
      add(type, [p.x - 20, p.y - 20]);
    },
    [flow, add]
  );

  const deleteSelection = React.useCallback(() => {
    const nodeIds = [...model.selection];
    const edgeIds = edges.filter(e => e.selected).map(e => e.id);
    if (nodeIds.length || edgeIds.length) {
      model.edit(doc => removeElements(doc, nodeIds, edgeIds));
      model.select([]);
    }
  }, [model, edges]);

  const copy = React.useCallback(() => {
    if (model.selection.size) {
      clipboard = copyNodes(model.document, model.selection);
      pasteCount.current = 0;
    }
  }, [model]);

  const paste = React.useCallback(() => {
    if (!clipboard || !clipboard.nodes.length) {
      return;
    }
    const clip = clipboard;
    pasteCount.current += 1;
    const shift = 40 * pasteCount.current;
    let pasted: string[] = [];
    model.edit(doc => {
      const [next, ids] = pasteClip(doc, clip, [shift, shift]);
      pasted = ids;
      return next;
    });
    model.select(pasted);
  }, [model]);

  const layout = React.useCallback(() => {
    const heights = new Map(
      flow
        .getNodes()
        .filter(n => n.measured?.height)
        .map(n => [n.id, n.measured?.height ?? 0])
    );
    model.edit(doc => moveNodes(doc, layeredLayout(doc.graph, heights)));
    window.requestAnimationFrame(
      () => void flow.fitView({ ...FIT_OPTIONS, duration: 200 })
    );
  }, [model, flow]);

  const onKeyDown = React.useCallback(
    (event: React.KeyboardEvent) => {
      if (isEditable(event.target)) {
        return;
      }
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      let handled = true;
      if (key === 'delete' || key === 'backspace') {
        deleteSelection();
      } else if (mod && key === 'c') {
        copy();
      } else if (mod && key === 'x') {
        copy();
        deleteSelection();
      } else if (mod && key === 'v') {
        paste();
      } else if (mod && key === 'a') {
        model.select(model.document.graph.nodes.map(n => n.id));
      } else if (!mod && key === 'f') {
        void flow.fitView({ ...FIT_OPTIONS, duration: 200 });
      } else if (!mod && key === 'l') {
        layout();
      } else {
        handled = false;
      }
      if (handled) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    [deleteSelection, copy, paste, layout, model, flow]
  );

  const selectedCount = selection.size + edges.filter(e => e.selected).length;
  return (
    <div className="jp-JnoLab-graphView">
      <Palette catalogue={catalogue} onAdd={type => add(type)} />
      <div className="jp-JnoLab-graphMain">
        <div
          className="jp-JnoLab-toolbar"
          role="toolbar"
          aria-label="Graph tools"
        >
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Auto-layout, left to right (L)"
            onClick={layout}
          >
            Auto-layout
          </button>
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Fit the graph in view (F)"
            onClick={() => void flow.fitView({ ...FIT_OPTIONS, duration: 200 })}
          >
            Fit view
          </button>
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Copy the selected nodes (Ctrl+C)"
            disabled={!selection.size}
            onClick={copy}
          >
            Copy
          </button>
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Paste nodes (Ctrl+V)"
            onClick={paste}
          >
            Paste
          </button>
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Delete the selection (Delete)"
            disabled={!selectedCount}
            onClick={deleteSelection}
          >
            Delete
          </button>
          <span className="jp-JnoLab-spacer" />
          <HelpPopover />
        </div>
        <div
          ref={wrapper}
          className={ClassNames.canvas}
          data-testid="jno-lab-canvas"
          tabIndex={0}
          onKeyDown={onKeyDown}
          onDragOver={e => {
            if (e.dataTransfer.types.includes(NODE_DRAG_MIME)) {
              e.preventDefault();
              e.dataTransfer.dropEffect = 'copy';
            }
          }}
          onDrop={onDrop}
        >
          <ReactFlow<WorkbenchFlowNode, Edge>
            nodes={nodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            isValidConnection={isValidConnection}
            onNodeDragStop={onNodeDragStop}
            onPaneClick={() => model.select([])}
            deleteKeyCode={null}
            fitView
            fitViewOptions={FIT_OPTIONS}
            minZoom={0.1}
            proOptions={{ hideAttribution: true }}
          >
            <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
            <Controls />
            <MiniMap pannable zoomable ariaLabel="Graph overview" />
          </ReactFlow>
          {notice && (
            <div className="jp-JnoLab-notice" role="status">
              {notice}
            </div>
          )}
          {doc.graph.nodes.length === 0 && (
            <div className="jp-JnoLab-hint">
              Drag nodes from the palette onto the canvas; wire an output
              (right) to an input (left).
            </div>
          )}
        </div>
      </div>
      {props.aside}
    </div>
  );
}

/**
 * The node-graph editor: palette, React Flow canvas (typed handles, refused
 * incompatible wires, minimap, fit view, auto-layout) and an aside (the
 * inspector).
 */
export function GraphEditor(props: IGraphEditorProps): JSX.Element {
  return (
    <ReactFlowProvider>
      <GraphCanvasInner {...props} />
    </ReactFlowProvider>
  );
}
