import * as React from 'react';

import type { CsgNode, CsgOp } from '../document/types';
import { CSG_OPS } from '../model/geometryCatalogue';
import { moveCsgArg, setCsgOp } from '../model/geometryEdits';
import type { WorkbenchModel } from '../model/workbenchModel';

/** One node of the CSG tree, with its arguments. */
export function CsgTreeNode(props: {
  model: WorkbenchModel;
  node: CsgNode;
  path: number[];
  selected: string | null;
  onSelect: (id: string) => void;
  /** Move this node among its siblings (absent for the root). */
  onMove?: (offset: number) => void;
}): JSX.Element {
  const { model, node, path } = props;
  const moves = props.onMove && (
    <span className="jp-JnoLab-csgMoves">
      <button
        type="button"
        className="jp-JnoLab-button"
        aria-label="Move earlier"
        title="Move earlier"
        onClick={() => props.onMove?.(-1)}
      >
        ↑
      </button>
      <button
        type="button"
        className="jp-JnoLab-button"
        aria-label="Move later"
        title="Move later"
        onClick={() => props.onMove?.(1)}
      >
        ↓
      </button>
    </span>
  );
  if (typeof node === 'string') {
    return (
      <li className="jp-JnoLab-csgLeaf">
        <button
          type="button"
          className={`jp-JnoLab-csgName${props.selected === node ? ' jp-mod-selected' : ''}`}
          onClick={() => props.onSelect(node)}
          title="Select this shape"
        >
          {node}
        </button>
        {moves}
      </li>
    );
  }
  return (
    <li className="jp-JnoLab-csgOp">
      <select
        className="jp-mod-styled"
        aria-label={`operation ${path.join('.') || 'root'}`}
        value={node.op}
        onChange={e =>
          model.edit(d => setCsgOp(d, path, e.target.value as CsgOp))
        }
      >
        {CSG_OPS.map(op => (
          <option key={op} value={op}>
            {op}
          </option>
        ))}
      </select>
      {moves}
      <ul>
        {node.args.map((arg, i) => (
          <CsgTreeNode
            key={i}
            model={model}
            node={arg}
            path={[...path, i]}
            selected={props.selected}
            onSelect={props.onSelect}
            onMove={offset => model.edit(d => moveCsgArg(d, path, i, offset))}
          />
        ))}
      </ul>
    </li>
  );
}
