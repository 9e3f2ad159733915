import * as React from 'react';

import { drawingTools } from '../model/geometryCatalogue';

/** The shortcuts of the geometry tools, from the geometry catalogue. */
function geometryToolsShortcut(): [string, string] {
  const tools = drawingTools();
  const keys = [...tools.map(t => t.key), 'V'].join(' / ');
  const what = [...tools.map(t => t.title), 'select tool']
    .join(' / ')
    .toLowerCase();
  return [`Geometry: ${keys}`, what[0].toUpperCase() + what.slice(1)];
}

/** Keyboard shortcuts of the editor, as listed in the help popover. */
export const SHORTCUTS: [string, string][] = [
  ['Ctrl+S', 'Save'],
  ['Ctrl+Z', 'Undo'],
  ['Ctrl+Shift+Z / Ctrl+Y', 'Redo'],
  ['Ctrl+C / Ctrl+X / Ctrl+V', 'Copy / cut / paste nodes (with their wires)'],
  ['Ctrl+A', 'Select all nodes'],
  ['Delete / Backspace', 'Delete the selection'],
  ['Shift+drag', 'Box-select nodes'],
  ['Ctrl+click', 'Add a node to the selection'],
  ['F', 'Fit the graph in view'],
  ['L', 'Auto-layout (left to right)'],
  ['Enter (palette)', 'Add the focused node type'],
  geometryToolsShortcut(),
  ['Geometry: Escape', 'Finish a polygon / cancel drawing']
];

/** A "?" button showing the keyboard shortcuts. */
export function HelpPopover(): JSX.Element {
  const [open, setOpen] = React.useState(false);
  return (
    <div className="jp-JnoLab-help">
      <button
        type="button"
        className="jp-JnoLab-button"
        aria-label="Keyboard shortcuts"
        title="Keyboard shortcuts"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        ?
      </button>
      {open && (
        <div
          className="jp-JnoLab-popover"
          role="dialog"
          aria-label="Keyboard shortcuts"
        >
          <table>
            <tbody>
              {SHORTCUTS.map(([keys, what]) => (
                <tr key={keys}>
                  <td>
                    <kbd>{keys}</kbd>
                  </td>
                  <td>{what}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Close the help"
            onClick={() => setOpen(false)}
          >
            Close
          </button>
        </div>
      )}
    </div>
  );
}
