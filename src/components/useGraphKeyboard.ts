/**
 * Keyboard and clipboard commands of the graph canvas: delete, cut, copy,
 * paste, select all, fit view and auto-layout.
 */
import type { Edge } from '@xyflow/react';
import * as React from 'react';

import {
  copyNodes,
  type IGraphClip,
  pasteClip,
  removeElements
} from '../model/graphEdits';
import type { WorkbenchModel } from '../model/workbenchModel';

/** The clipboard shared by every editor of the page. */
let clipboard: IGraphClip | null = null;

/** Whether key presses on `target` belong to a text field, not the canvas. */
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

/** The commands of the canvas, and its key handler. */
export interface IGraphCommands {
  deleteSelection: () => void;
  copy: () => void;
  paste: () => void;
  onKeyDown: (event: React.KeyboardEvent) => void;
}

/**
 * Commands on `model`'s selection (`edges` tells which wires are selected);
 * `fitView` and `layout` are the canvas's own, bound to F and L.
 */
export function useGraphKeyboard(
  model: WorkbenchModel,
  edges: Edge[],
  fitView: () => void,
  layout: () => void
): IGraphCommands {
  const pasteCount = React.useRef(0);

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
        fitView();
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
    [deleteSelection, copy, paste, layout, model, fitView]
  );

  return { deleteSelection, copy, paste, onKeyDown };
}
