import * as React from 'react';

import { drawingTools } from '../model/geometryCatalogue';
import type { CombineMode } from '../model/geometryEdits';
import type { GeometryPreview } from '../model/geometryPreview';
import type { WorkbenchModel } from '../model/workbenchModel';
import { GeometryCanvas, type GeometryTool } from './GeometryCanvas';
import { GeometryPanel } from './GeometryPanel';
import { useSignal } from './useSignal';

/** Props of {@link GeometryEditor}. */
export interface IGeometryEditorProps {
  model: WorkbenchModel;
  preview: GeometryPreview;
}

/** The toolbar's tools: select, then one per drawable primitive type. */
const TOOLS: [GeometryTool, string, string][] = [
  [
    'select',
    'Select',
    'Select, move and resize shapes; drag the background to pan (V)'
  ],
  ...drawingTools().map((t): [GeometryTool, string, string] => [
    t.type,
    t.title,
    `${t.drawHelp} (${t.key})`
  ])
];

/** The geometry view: tools, the SVG canvas and the properties panel. */
export function GeometryEditor(props: IGeometryEditorProps): JSX.Element {
  const { model, preview } = props;
  const doc = useSignal(model.changed, () => model.document);
  const current = useSignal(preview.changed, () => preview.preview);
  const [tool, setTool] = React.useState<GeometryTool>('select');
  const [combine, setCombine] = React.useState<CombineMode>('union');
  const [selected, setSelected] = React.useState<string | null>(null);
  const [snapToGrid, setSnap] = React.useState(true);
  const [showPoints, setShowPoints] = React.useState(false);
  const [pickTag, setPickTag] = React.useState<number | null>(null);
  const [fitRequest, setFitRequest] = React.useState(0);
  const geometry = doc.geometry;
  const planar = geometry.dimension === 2;
  React.useEffect(() => {
    if (selected && !geometry.primitives.some(p => p.id === selected)) {
      setSelected(null);
    }
    if (pickTag !== null && !(geometry.tags ?? [])[pickTag]) {
      setPickTag(null);
    }
  }, [geometry]);
  return (
    <div className="jp-JnoLab-geometryView">
      <div className="jp-JnoLab-geometryMain">
        <div
          className="jp-JnoLab-toolbar"
          role="toolbar"
          aria-label="Geometry tools"
        >
          {planar &&
            TOOLS.map(([id, label, title]) => (
              <button
                key={id}
                type="button"
                className={`jp-JnoLab-button${tool === id ? ' jp-mod-active' : ''}`}
                aria-pressed={tool === id}
                title={title}
                onClick={() => setTool(id)}
              >
                {label}
              </button>
            ))}
          {planar && (
            <label
              className="jp-JnoLab-inline"
              title="How a new shape joins the domain"
            >
              new shapes
              <select
                className="jp-mod-styled"
                aria-label="How new shapes combine"
                value={combine}
                onChange={e => setCombine(e.target.value as CombineMode)}
              >
                <option value="union">add (union)</option>
                <option value="difference">cut out (difference)</option>
                <option value="intersection">intersect</option>
              </select>
            </label>
          )}
          <label className="jp-JnoLab-inline">
            <input
              type="checkbox"
              checked={snapToGrid}
              onChange={e => setSnap(e.target.checked)}
            />
            snap to grid
          </label>
          <label className="jp-JnoLab-inline">
            <input
              type="checkbox"
              checked={showPoints}
              aria-label="Preview points"
              onChange={e => setShowPoints(e.target.checked)}
            />
            preview points
          </label>
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Fit the shapes in view"
            onClick={() => setFitRequest(fitRequest + 1)}
          >
            Fit
          </button>
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Ask the kernel for the domain again"
            onClick={() => void preview.refresh()}
          >
            Refresh domain
          </button>
        </div>
        <GeometryCanvas
          model={model}
          geometry={geometry}
          preview={current}
          tool={planar ? tool : 'select'}
          onToolChange={setTool}
          combine={combine}
          selected={selected}
          onSelect={setSelected}
          snapToGrid={snapToGrid}
          showPoints={showPoints}
          pickTag={pickTag}
          fitRequest={fitRequest}
        />
      </div>
      <GeometryPanel
        model={model}
        geometry={geometry}
        preview={preview}
        selected={selected}
        onSelect={setSelected}
        pickTag={pickTag}
        onPickTag={setPickTag}
      />
    </div>
  );
}
