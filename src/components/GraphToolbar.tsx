import * as React from 'react';

import { HelpPopover } from './HelpPopover';

/** Props of {@link GraphToolbar}. */
export interface IGraphToolbarProps {
  /** Nodes selected (Copy needs one). */
  selectedNodes: number;
  /** Nodes and wires selected (Delete needs one). */
  selectedCount: number;
  onLayout: () => void;
  onFitView: () => void;
  onCopy: () => void;
  onPaste: () => void;
  onDelete: () => void;
}

/** The buttons above the graph canvas, and its help. */
export function GraphToolbar(props: IGraphToolbarProps): JSX.Element {
  return (
    <div className="jp-JnoLab-toolbar" role="toolbar" aria-label="Graph tools">
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Auto-layout, left to right (L)"
        onClick={props.onLayout}
      >
        Auto-layout
      </button>
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Fit the graph in view (F)"
        onClick={props.onFitView}
      >
        Fit view
      </button>
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Copy the selected nodes (Ctrl+C)"
        disabled={!props.selectedNodes}
        onClick={props.onCopy}
      >
        Copy
      </button>
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Paste nodes (Ctrl+V)"
        onClick={props.onPaste}
      >
        Paste
      </button>
      <button
        type="button"
        className="jp-JnoLab-button"
        title="Delete the selection (Delete)"
        disabled={!props.selectedCount}
        onClick={props.onDelete}
      >
        Delete
      </button>
      <span className="jp-JnoLab-spacer" />
      <HelpPopover />
    </div>
  );
}
