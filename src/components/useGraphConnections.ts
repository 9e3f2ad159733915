/**
 * The wiring rules of the graph canvas: which connections React Flow may
 * draw, what a finished one adds to the document, and why a refused one was
 * refused.
 */
import type { Connection, Edge, FinalConnectionState } from '@xyflow/react';
import * as React from 'react';

import type { IGraphEdge, IGraphNode } from '../document/types';
import type { Catalogue } from '../model/catalogue';
import { connect, wireRefusal } from '../model/graphEdits';
import type { WorkbenchModel } from '../model/workbenchModel';

/** The connection handlers of the canvas. */
export interface IGraphConnections {
  isValidConnection: (c: Connection | Edge) => boolean;
  onConnect: (c: Connection) => void;
  onConnectEnd: (
    event: MouseEvent | TouchEvent,
    state: FinalConnectionState
  ) => void;
}

/**
 * Connection handlers for `model`'s graph; a refused wire is explained
 * through `setNotice`.
 */
export function useGraphConnections(
  model: WorkbenchModel,
  catalogue: Catalogue,
  nodeMap: Map<string, IGraphNode>,
  setNotice: (text: string) => void
): IGraphConnections {
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
    [portsOf, catalogue, setNotice]
  );

  return { isValidConnection, onConnect, onConnectEnd };
}
