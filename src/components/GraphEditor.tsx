import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  BackgroundVariant,
  Controls,
  type Edge,
  type EdgeChange,
  MiniMap,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow
} from '@xyflow/react';
import * as React from 'react';

import type { Point } from '../document/types';
import { layeredLayout } from '../model/autoLayout';
import type { Catalogue } from '../model/catalogue';
import { addNode, idOf, moveNodes } from '../model/graphEdits';
import type { WorkbenchModel } from '../model/workbenchModel';
import { ClassNames } from '../tokens';
import {
  FlowNodeCache,
  freeSpot,
  problemsByNode,
  toFlowEdge
} from './graphFlowElements';
import { GraphToolbar } from './GraphToolbar';
import { NodeView, type WorkbenchFlowNode } from './NodeView';
import { Palette } from './Palette';
import { NODE_DRAG_MIME } from './ports';
import { useGraphConnections } from './useGraphConnections';
import { useGraphKeyboard } from './useGraphKeyboard';
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

/** The palette, toolbar and canvas (inside a `ReactFlowProvider`), then the aside. */
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

  const fitView = React.useCallback(
    () => void flow.fitView({ ...FIT_OPTIONS, duration: 200 }),
    [flow]
  );

  const layout = React.useCallback(() => {
    const heights = new Map(
      flow
        .getNodes()
        .filter(n => n.measured?.height)
        .map(n => [n.id, n.measured?.height ?? 0])
    );
    model.edit(doc => moveNodes(doc, layeredLayout(doc.graph, heights)));
    window.requestAnimationFrame(fitView);
  }, [model, flow, fitView]);

  const { isValidConnection, onConnect, onConnectEnd } = useGraphConnections(
    model,
    catalogue,
    nodeMap,
    setNotice
  );
  const { deleteSelection, copy, paste, onKeyDown } = useGraphKeyboard(
    model,
    edges,
    fitView,
    layout
  );

  const selectedCount = selection.size + edges.filter(e => e.selected).length;
  return (
    <div className="jp-JnoLab-graphView">
      <Palette catalogue={catalogue} onAdd={type => add(type)} />
      <div className="jp-JnoLab-graphMain">
        <GraphToolbar
          selectedNodes={selection.size}
          selectedCount={selectedCount}
          onLayout={layout}
          onFitView={fitView}
          onCopy={copy}
          onPaste={paste}
          onDelete={deleteSelection}
        />
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
