import { Handle, type Node, type NodeProps, Position } from '@xyflow/react';
import * as React from 'react';

import type { IGraphNode } from '../document/types';
import type { IPortSpec } from '../model/catalogue';
import { portColor } from './ports';

/** Data of a graph node as React Flow renders it. */
export interface INodeData extends Record<string, unknown> {
  node: IGraphNode;
  /** The node type's title (or "Unknown type"). */
  title: string;
  inputs: IPortSpec[];
  outputs: IPortSpec[];
  /** Messages of the problems that name this node. */
  problems: string[];
  /** A short line of parameter values. */
  summary: string;
  /** Whether the node's text runs as Python code (it needs the user's trust). */
  code: boolean;
}

/** A graph node as React Flow stores it. */
export type WorkbenchFlowNode = Node<INodeData, 'workbench'>;

function PortRow(props: { port: IPortSpec; kind: 'in' | 'out' }): JSX.Element {
  const { port, kind } = props;
  const tooltip = `${port.name}: ${port.type}${port.doc ? ` — ${port.doc}` : ''}`;
  return (
    <div
      className={`jp-JnoLab-port jp-JnoLab-port-${kind}`}
      title={tooltip}
      data-port={port.name}
    >
      <Handle
        type={kind === 'in' ? 'target' : 'source'}
        position={kind === 'in' ? Position.Left : Position.Right}
        id={port.name}
        className="jp-JnoLab-handle"
        style={{ background: portColor(port.type) }}
        aria-label={`${kind === 'in' ? 'input' : 'output'} ${port.name} (${port.type})`}
      />
      <span className="jp-JnoLab-portName">{port.name}</span>
    </div>
  );
}

/** A workbench node: title, id, typed input and output ports, problems. */
function NodeViewImpl(props: NodeProps<WorkbenchFlowNode>): JSX.Element {
  const { data, selected } = props;
  const invalid = data.problems.length > 0;
  const classes = ['jp-JnoLab-node'];
  if (selected) {
    classes.push('jp-mod-selected');
  }
  if (invalid) {
    classes.push('jp-mod-invalid');
  }
  return (
    <div
      className={classes.join(' ')}
      data-node-id={data.node.id}
      data-node-type={data.node.type}
    >
      <div className="jp-JnoLab-nodeHeader">
        <span className="jp-JnoLab-nodeTitle">
          {data.node.label || data.title}
        </span>
        {data.code && (
          <span
            className="jp-JnoLab-nodeCode"
            title="Python code: it runs only once you trust this document"
          >
            Python
          </span>
        )}
        <span className="jp-JnoLab-nodeId">{data.node.id}</span>
      </div>
      {data.summary && (
        <div className="jp-JnoLab-nodeSummary" title={data.summary}>
          {data.summary}
        </div>
      )}
      <div className="jp-JnoLab-nodePorts">
        <div className="jp-JnoLab-nodeInputs">
          {data.inputs.map(p => (
            <PortRow key={p.name} port={p} kind="in" />
          ))}
        </div>
        <div className="jp-JnoLab-nodeOutputs">
          {data.outputs.map(p => (
            <PortRow key={p.name} port={p} kind="out" />
          ))}
        </div>
      </div>
      {invalid && (
        <div className="jp-JnoLab-nodeProblems" role="alert">
          {data.problems.map((m, i) => (
            <div key={i} className="jp-JnoLab-nodeProblem" title={m}>
              {m}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/** Memoised node view (re-renders only when its data or selection changes). */
export const NodeView = React.memo(NodeViewImpl);
