import {
  Background,
  BackgroundVariant,
  Controls,
  type Edge,
  MiniMap,
  type Node,
  ReactFlow,
  ReactFlowProvider
} from '@xyflow/react';
import * as React from 'react';

import { ClassNames } from '../tokens';

/** Props of {@link GraphCanvas}. */
export interface IGraphCanvasProps {
  /** Expression nodes shown on the canvas. */
  nodes: Node[];
  /** Wires between node ports. */
  edges: Edge[];
}

/**
 * The node-graph canvas of a workbench: a React Flow surface with a dotted
 * background, zoom controls and a minimap.
 */
export function GraphCanvas(props: IGraphCanvasProps): JSX.Element {
  return (
    <div className={ClassNames.canvas} data-testid="jno-lab-canvas">
      <ReactFlowProvider>
        <ReactFlow
          nodes={props.nodes}
          edges={props.edges}
          fitView
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={16} size={1} />
          <Controls />
          <MiniMap pannable zoomable />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
