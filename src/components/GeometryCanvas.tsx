import * as React from 'react';

import type { IGeometry, IPrimitive, Point } from '../document/types';
import { drawingTools } from '../model/geometryCatalogue';
import {
  addPrimitive,
  type CombineMode,
  removePrimitive,
  replacePrimitive,
  toggleTagEdge,
  translated
} from '../model/geometryEdits';
import { dragged, rotationHandle } from '../model/geometryHandles';
import type { IGeometryPreview } from '../model/geometryPreview';
import { drawnPrimitive } from '../model/primitiveShapes';
import {
  gridStep,
  type IViewport,
  snap,
  toWorld,
  zoomAt
} from '../model/viewport';
import type { WorkbenchModel } from '../model/workbenchModel';
import {
  EdgePicker,
  gridLines,
  PreviewPoints,
  ringPath,
  ROTATE_SNAP_DEG,
  SelectionHandles
} from './GeometryLayers';
import { Shape } from './GeometryShape';
import { useCanvasView } from './useCanvasView';

export { TAG_COLORS } from './GeometryLayers';

/** Drawing tools of the canvas: select, or a primitive type with a tool. */
export type GeometryTool = 'select' | IPrimitive['type'];

/** Tools by keyboard shortcut (lower case). */
function toolKeys(): Record<string, GeometryTool> {
  const keys: Record<string, GeometryTool> = { v: 'select' };
  for (const spec of drawingTools()) {
    keys[spec.key.toLowerCase()] = spec.type;
  }
  return keys;
}

/** Props of {@link GeometryCanvas}. */
export interface IGeometryCanvasProps {
  model: WorkbenchModel;
  geometry: IGeometry;
  preview: IGeometryPreview | null;
  tool: GeometryTool;
  onToolChange: (tool: GeometryTool) => void;
  combine: CombineMode;
  selected: string | null;
  onSelect: (id: string | null) => void;
  snapToGrid: boolean;
  showPoints: boolean;
  /** Index of the tag whose edges a click toggles (null: no edge picking). */
  pickTag: number | null;
  /** Bumped to ask for a fit of the view. */
  fitRequest: number;
}

type Drag =
  | { kind: 'pan'; start: Point; view: IViewport }
  | { kind: 'draw'; start: Point }
  | { kind: 'move'; id: string; start: Point; original: IPrimitive }
  | { kind: 'handle'; id: string; handle: string; original: IPrimitive };

/**
 * The geometry canvas (SVG): primitives drawn and edited with the mouse,
 * the kernel's domain outline with its boundary, sampled points, a grid
 * with snapping, zoom (wheel) and pan (drag the background).
 */
export function GeometryCanvas(props: IGeometryCanvasProps): JSX.Element {
  const { model, geometry, preview, tool, selected } = props;
  const host = React.useRef<HTMLDivElement>(null);
  const [draft, setDraft] = React.useState<IPrimitive | null>(null);
  const [polygon, setPolygon] = React.useState<Point[]>([]);
  const [cursor, setCursor] = React.useState<Point | null>(null);
  const drag = React.useRef<Drag | null>(null);
  const {
    width,
    height,
    view: v,
    setView
  } = useCanvasView(host, geometry, props.fitRequest);
  const step = gridStep(v.scale);

  const world = (
    e: React.PointerEvent | React.WheelEvent | React.MouseEvent
  ): Point => {
    const box = (e.currentTarget as Element)
      .closest('svg')
      ?.getBoundingClientRect();
    const s: Point = box ? [e.clientX - box.left, e.clientY - box.top] : [0, 0];
    return toWorld(v, width, height, s);
  };
  const snapped = (p: Point): Point =>
    props.snapToGrid
      ? [snap(p[0], step), snap(p[1], step)]
      : [+p[0].toPrecision(10), +p[1].toPrecision(10)];

  const finishPolygon = (): void => {
    if (polygon.length >= 3) {
      const points = polygon;
      let id = '';
      model.edit(d => {
        const [next, created] = addPrimitive(
          d,
          { type: 'polygon', points },
          props.combine
        );
        id = created;
        return next;
      });
      props.onSelect(id);
    }
    setPolygon([]);
  };

  const onPointerDown = (e: React.PointerEvent<SVGSVGElement>): void => {
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
    host.current?.focus();
    const p = world(e);
    if (e.button === 1 || tool === 'select' || e.shiftKey) {
      drag.current = { kind: 'pan', start: [e.clientX, e.clientY], view: v };
      if (tool === 'select' && e.button === 0 && !e.shiftKey) {
        props.onSelect(null);
      }
      return;
    }
    if (tool === 'polygon') {
      setPolygon([...polygon, snapped(p)]);
      return;
    }
    drag.current = { kind: 'draw', start: snapped(p) };
  };

  const onPointerMove = (e: React.PointerEvent<SVGSVGElement>): void => {
    const p = world(e);
    setCursor(snapped(p));
    const d = drag.current;
    if (!d) {
      return;
    }
    if (d.kind === 'pan') {
      const dx = (e.clientX - d.start[0]) / d.view.scale;
      const dy = (e.clientY - d.start[1]) / d.view.scale;
      setView({ ...d.view, cx: d.view.cx - dx, cy: d.view.cy + dy });
    } else if (d.kind === 'draw') {
      const shape = drawnPrimitive(tool, d.start, snapped(p));
      setDraft(shape ? ({ id: '__draft__', ...shape } as IPrimitive) : null);
    } else if (d.kind === 'move') {
      const q = snapped(p);
      setDraft(translated(d.original, q[0] - d.start[0], q[1] - d.start[1]));
    } else if (d.kind === 'handle' && d.handle === 'rotate') {
      const step = props.snapToGrid ? ROTATE_SNAP_DEG : 0;
      setDraft(dragged(d.original, d.handle, p, step));
    } else if (d.kind === 'handle') {
      setDraft(dragged(d.original, d.handle, snapped(p)));
    }
  };

  const onPointerUp = (e: React.PointerEvent<SVGSVGElement>): void => {
    const d = drag.current;
    drag.current = null;
    const shape = draft;
    setDraft(null);
    if (!d || !shape) {
      return;
    }
    if (d.kind === 'draw') {
      let id = '';
      const { id: _ignored, ...fields } = shape;
      void _ignored;
      model.edit(doc => {
        const [next, created] = addPrimitive(doc, fields, props.combine);
        id = created;
        return next;
      });
      props.onSelect(id);
    } else if (d.kind === 'move' || d.kind === 'handle') {
      model.edit(doc => replacePrimitive(doc, d.id, shape));
    }
  };

  const startMove =
    (p: IPrimitive) =>
    (e: React.PointerEvent): void => {
      if (tool !== 'select' || e.button !== 0) {
        return;
      }
      e.stopPropagation();
      (e.currentTarget as Element)
        .closest('svg')
        ?.setPointerCapture(e.pointerId);
      host.current?.focus();
      props.onSelect(p.id);
      drag.current = {
        kind: 'move',
        id: p.id,
        start: snapped(world(e)),
        original: p
      };
    };

  const startHandle =
    (p: IPrimitive, handle: string) =>
    (e: React.PointerEvent): void => {
      e.stopPropagation();
      (e.currentTarget as Element)
        .closest('svg')
        ?.setPointerCapture(e.pointerId);
      drag.current = { kind: 'handle', id: p.id, handle, original: p };
    };

  const onWheel = (e: React.WheelEvent<SVGSVGElement>): void => {
    const box = e.currentTarget.getBoundingClientRect();
    const factor = Math.exp(-e.deltaY * 0.0015);
    setView(
      zoomAt(
        v,
        width,
        height,
        [e.clientX - box.left, e.clientY - box.top],
        factor
      )
    );
  };

  const onKeyDown = (e: React.KeyboardEvent): void => {
    const target = e.target as HTMLElement;
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)) {
      return;
    }
    const key = e.key.toLowerCase();
    const tools = toolKeys();
    if ((key === 'delete' || key === 'backspace') && selected) {
      model.edit(d => removePrimitive(d, selected));
      props.onSelect(null);
    } else if (key === 'enter' && polygon.length) {
      finishPolygon();
    } else if (key === 'escape') {
      if (polygon.length >= 3) {
        finishPolygon();
      } else {
        setPolygon([]);
      }
    } else if (!e.ctrlKey && !e.metaKey && tools[key]) {
      props.onToolChange(tools[key]);
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  // The visible world box, for the grid lines.
  const [wx0, wy1] = toWorld(v, width, height, [0, 0]);
  const [wx1, wy0] = toWorld(v, width, height, [width, height]);

  const transform = `translate(${width / 2 - v.cx * v.scale} ${height / 2 + v.cy * v.scale}) scale(${v.scale} ${-v.scale})`;
  const tags = geometry.tags ?? [];
  const pickEdges =
    props.pickTag !== null ? (tags[props.pickTag]?.edges ?? []) : [];
  const tagNames = [
    'interior',
    'boundary',
    ...(preview ? [...preview.points.keys()] : []),
    ...tags.map(t => t.name)
  ].filter((t, i, all) => all.indexOf(t) === i);
  const handleSize = 7 / v.scale;
  const shown = geometry.primitives.map(p =>
    draft && draft.id === p.id ? draft : p
  );
  const selectedShape = shown.find(p => p.id === selected);
  const rotateAt =
    selectedShape && tool === 'select'
      ? rotationHandle(selectedShape, v.scale)
      : null;

  return (
    <div
      ref={host}
      className="jp-JnoLab-geometryCanvas"
      tabIndex={0}
      onKeyDown={onKeyDown}
      aria-label="Geometry canvas"
      data-tool={tool}
    >
      <svg
        width={width}
        height={height}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setCursor(null)}
        onDoubleClick={() => tool === 'polygon' && finishPolygon()}
        onWheel={onWheel}
        role="img"
        aria-label="Geometry"
      >
        <g transform={transform}>
          <g className="jp-JnoLab-gridLines">
            {gridLines(step, [wx0, wy0, wx1, wy1])}
          </g>
          {preview?.polygons.map((rings, i) => (
            <path
              key={i}
              className="jp-JnoLab-domain"
              d={ringPath(rings)}
              fillRule="evenodd"
              vectorEffect="non-scaling-stroke"
            />
          ))}
          {preview?.interval && (
            <line
              className="jp-JnoLab-domainLine"
              x1={preview.interval[0]}
              x2={preview.interval[1]}
              y1={0}
              y2={0}
              vectorEffect="non-scaling-stroke"
            />
          )}
          {shown.map(p => (
            <Shape
              key={p.id}
              primitive={p}
              className={`jp-JnoLab-primitive${p.id === selected ? ' jp-mod-selected' : ''}`}
              onPointerDown={startMove(p)}
            />
          ))}
          {draft && draft.id === '__draft__' && (
            <Shape
              primitive={draft}
              className="jp-JnoLab-primitive jp-mod-draft"
            />
          )}
          {polygon.length > 0 && (
            <polyline
              className="jp-JnoLab-primitive jp-mod-draft"
              points={[...polygon, ...(cursor ? [cursor] : [])]
                .map(q => q.join(','))
                .join(' ')}
              vectorEffect="non-scaling-stroke"
            />
          )}
          {props.showPoints && preview && (
            <PreviewPoints
              preview={preview}
              tagNames={tagNames}
              scale={v.scale}
            />
          )}
          {props.pickTag !== null && (
            <EdgePicker
              preview={preview}
              edges={pickEdges}
              onToggle={segment => {
                const index = props.pickTag as number;
                model.edit(d => toggleTagEdge(d, index, segment));
              }}
            />
          )}
          {selectedShape && tool === 'select' && (
            <SelectionHandles
              shape={selectedShape}
              rotateAt={rotateAt}
              size={handleSize}
              onStart={name => startHandle(selectedShape, name)}
            />
          )}
        </g>
      </svg>
      <div className="jp-JnoLab-canvasInfo" aria-live="polite">
        grid {+step.toPrecision(3)}
        {cursor &&
          ` · x ${+cursor[0].toPrecision(4)}, y ${+cursor[1].toPrecision(4)}`}
        {tool === 'polygon' &&
          ' · click to add vertices, double-click or Enter to finish'}
      </div>
    </div>
  );
}
