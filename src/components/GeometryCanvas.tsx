import * as React from 'react';

import type { IGeometry, IPrimitive, Point } from '../document/types';
import {
  addPrimitive,
  type CombineMode,
  ellipseAngleTowards,
  removePrimitive,
  replacePrimitive,
  toggleTagEdge,
  translated
} from '../model/geometryEdits';
import type { IGeometryPreview } from '../model/geometryPreview';
import {
  fitBounds,
  gridStep,
  type IViewport,
  primitiveBounds,
  snap,
  toWorld,
  zoomAt
} from '../model/viewport';
import type { WorkbenchModel } from '../model/workbenchModel';

/** Drawing tools of the canvas. */
export type GeometryTool =
  'select' | 'rectangle' | 'circle' | 'ellipse' | 'polygon';

/** Colours of tags' points (theme variables). */
export const TAG_COLORS = [
  'var(--jp-brand-color1)',
  'var(--jp-warn-color1)',
  'var(--jp-success-color1)',
  'var(--jp-error-color1)',
  'var(--jp-brand-color3)',
  'var(--jp-warn-color3)'
];

/** Pixels between the end of an ellipse's second axis and its rotation handle. */
const ROTATE_HANDLE_PX = 24;

/** Degrees a rotation snaps to while grid snapping is on. */
const ROTATE_SNAP_DEG = 15;

/** Where the rotation handle of an ellipse is (beyond its second axis). */
function rotationHandle(p: IPrimitive, scale: number): Point | null {
  if (p.type !== 'ellipse' || !p.center || !p.radii) {
    return null;
  }
  const a = ((p.angle ?? 0) * Math.PI) / 180;
  const r = p.radii[1] + ROTATE_HANDLE_PX / scale;
  return [p.center[0] - r * Math.sin(a), p.center[1] + r * Math.cos(a)];
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

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** The primitive a draw drag from `a` to `b` makes (null when too small). */
function drawn(
  tool: GeometryTool,
  a: Point,
  b: Point
): Omit<IPrimitive, 'id'> | null {
  const [x0, x1] = [Math.min(a[0], b[0]), Math.max(a[0], b[0])];
  const [y0, y1] = [Math.min(a[1], b[1]), Math.max(a[1], b[1])];
  if (tool === 'rectangle' && x1 > x0 && y1 > y0) {
    return { type: 'rectangle', x: [x0, x1], y: [y0, y1] };
  }
  if (tool === 'circle' && dist(a, b) > 0) {
    return { type: 'circle', center: a, radius: +dist(a, b).toPrecision(12) };
  }
  if (tool === 'ellipse' && x1 > x0 && y1 > y0) {
    return {
      type: 'ellipse',
      center: a,
      radii: [
        +Math.abs(b[0] - a[0]).toPrecision(12),
        +Math.abs(b[1] - a[1]).toPrecision(12)
      ],
      angle: 0
    };
  }
  return null;
}

/** The primitive after dragging one of its handles to `p`. */
function resized(original: IPrimitive, handle: string, p: Point): IPrimitive {
  if (original.type === 'rectangle' && original.x && original.y) {
    const x: Point = [...original.x];
    const y: Point = [...original.y];
    x[handle.includes('x0') ? 0 : 1] = p[0];
    y[handle.includes('y0') ? 0 : 1] = p[1];
    return {
      ...original,
      x: [Math.min(...x), Math.max(...x)],
      y: [Math.min(...y), Math.max(...y)]
    };
  }
  if (original.type === 'circle' && original.center) {
    return {
      ...original,
      radius: Math.max(1e-9, +dist(original.center, p).toPrecision(12))
    };
  }
  if (original.type === 'ellipse' && original.center && original.radii) {
    const a = ((original.angle ?? 0) * Math.PI) / 180;
    const dx = p[0] - original.center[0];
    const dy = p[1] - original.center[1];
    const local = [
      dx * Math.cos(a) + dy * Math.sin(a),
      -dx * Math.sin(a) + dy * Math.cos(a)
    ];
    const radii: Point = [...original.radii];
    const k = handle === 'rx' ? 0 : 1;
    radii[k] = Math.max(1e-9, Math.abs(local[k]));
    return { ...original, radii };
  }
  if (original.type === 'polygon' && original.points) {
    const i = Number(handle.slice(1));
    return {
      ...original,
      points: original.points.map((q, j) => (j === i ? p : q))
    };
  }
  return original;
}

/** Handle positions of a primitive, by handle name. */
function handles(p: IPrimitive): [string, Point][] {
  if (p.type === 'rectangle' && p.x && p.y) {
    return [
      ['x0y0', [p.x[0], p.y[0]]],
      ['x1y0', [p.x[1], p.y[0]]],
      ['x0y1', [p.x[0], p.y[1]]],
      ['x1y1', [p.x[1], p.y[1]]]
    ];
  }
  if (p.type === 'circle' && p.center && p.radius) {
    return [['r', [p.center[0] + p.radius, p.center[1]]]];
  }
  if (p.type === 'ellipse' && p.center && p.radii) {
    const a = ((p.angle ?? 0) * Math.PI) / 180;
    const [cx, cy] = p.center;
    const [rx, ry] = p.radii;
    return [
      ['rx', [cx + rx * Math.cos(a), cy + rx * Math.sin(a)]],
      ['ry', [cx - ry * Math.sin(a), cy + ry * Math.cos(a)]]
    ];
  }
  if (p.type === 'polygon' && p.points) {
    return p.points.map((q, i) => [`v${i}`, q]);
  }
  return [];
}

/** The SVG element of a primitive (in world coordinates). */
function Shape(props: {
  primitive: IPrimitive;
  className: string;
  onPointerDown?: (e: React.PointerEvent) => void;
}): JSX.Element | null {
  const p = props.primitive;
  const common = {
    className: props.className,
    vectorEffect: 'non-scaling-stroke',
    onPointerDown: props.onPointerDown,
    'data-primitive': p.id
  };
  if (p.type === 'rectangle' && p.x && p.y) {
    return (
      <rect
        {...common}
        x={p.x[0]}
        y={p.y[0]}
        width={p.x[1] - p.x[0]}
        height={p.y[1] - p.y[0]}
      />
    );
  }
  if (p.type === 'circle' && p.center && p.radius) {
    return (
      <circle {...common} cx={p.center[0]} cy={p.center[1]} r={p.radius} />
    );
  }
  if (p.type === 'ellipse' && p.center && p.radii) {
    return (
      <ellipse
        {...common}
        cx={p.center[0]}
        cy={p.center[1]}
        rx={p.radii[0]}
        ry={p.radii[1]}
        transform={`rotate(${p.angle ?? 0} ${p.center[0]} ${p.center[1]})`}
      />
    );
  }
  if (p.type === 'polygon' && p.points) {
    return (
      <polygon {...common} points={p.points.map(q => q.join(',')).join(' ')} />
    );
  }
  return null;
}

function ringPath(rings: Point[][]): string {
  return rings
    .map(r => 'M' + r.map(q => `${q[0]},${q[1]}`).join('L') + 'Z')
    .join('');
}

/**
 * An SVG path of dots at the points; points of one number (1-D) are drawn on
 * a row of their own at `row` (below the interval, one row per tag).
 */
function pointsPath(
  points: Float32Array,
  dimension: number,
  row: number
): string {
  const parts: string[] = [];
  for (let i = 0; i + dimension - 1 < points.length; i += dimension) {
    const y = dimension > 1 ? points[i + 1] : row;
    parts.push(`M${points[i]},${y}h0`);
  }
  return parts.join('');
}

/**
 * The geometry canvas (SVG): primitives drawn and edited with the mouse,
 * the kernel's domain outline with its boundary, sampled points, a grid
 * with snapping, zoom (wheel) and pan (drag the background).
 */
export function GeometryCanvas(props: IGeometryCanvasProps): JSX.Element {
  const { model, geometry, preview, tool, selected } = props;
  const host = React.useRef<HTMLDivElement>(null);
  const [size, setSize] = React.useState<[number, number]>([0, 0]);
  const [view, setView] = React.useState<IViewport | null>(null);
  const [draft, setDraft] = React.useState<IPrimitive | null>(null);
  const [polygon, setPolygon] = React.useState<Point[]>([]);
  const [cursor, setCursor] = React.useState<Point | null>(null);
  const drag = React.useRef<Drag | null>(null);
  const [width, height] = size;

  React.useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientHeight > 0) {
        setSize([el.clientWidth, el.clientHeight]);
      }
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const bounds = React.useCallback((): number[] | null => {
    const box = primitiveBounds(geometry.primitives);
    if (box && geometry.dimension === 1 && geometry.time) {
      return [box[0], geometry.time.t0, box[2], geometry.time.t1];
    }
    return box;
  }, [geometry]);

  const fit = React.useCallback(() => {
    setView(fitBounds(bounds(), width, height));
  }, [bounds, width, height]);

  React.useEffect(() => {
    if (!view && width > 0 && height > 0) {
      fit();
    }
  }, [view, width, height, fit]);

  React.useEffect(() => {
    if (props.fitRequest) {
      fit();
    }
  }, [props.fitRequest]);

  const v = view ?? fitBounds(bounds(), width || 1, height || 1);
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
      const shape = drawn(tool, d.start, snapped(p));
      setDraft(shape ? ({ id: '__draft__', ...shape } as IPrimitive) : null);
    } else if (d.kind === 'move') {
      const q = snapped(p);
      setDraft(translated(d.original, q[0] - d.start[0], q[1] - d.start[1]));
    } else if (d.kind === 'handle' && d.handle === 'rotate') {
      const center = d.original.center ?? [0, 0];
      const step = props.snapToGrid ? ROTATE_SNAP_DEG : 0;
      setDraft({
        ...d.original,
        angle: ellipseAngleTowards(center, p, step)
      });
    } else if (d.kind === 'handle') {
      setDraft(resized(d.original, d.handle, snapped(p)));
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
    const tools: Record<string, GeometryTool> = {
      v: 'select',
      r: 'rectangle',
      c: 'circle',
      e: 'ellipse',
      p: 'polygon'
    };
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

  // Grid lines in world coordinates.
  const [wx0, wy1] = toWorld(v, width, height, [0, 0]);
  const [wx1, wy0] = toWorld(v, width, height, [width, height]);
  const gridLines: JSX.Element[] = [];
  for (let x = Math.ceil(wx0 / step) * step; x <= wx1; x += step) {
    gridLines.push(
      <line
        key={`x${x}`}
        x1={x}
        x2={x}
        y1={wy0}
        y2={wy1}
        className={Math.abs(x) < step / 2 ? 'jp-JnoLab-axis' : 'jp-JnoLab-grid'}
        vectorEffect="non-scaling-stroke"
      />
    );
  }
  for (let y = Math.ceil(wy0 / step) * step; y <= wy1; y += step) {
    gridLines.push(
      <line
        key={`y${y}`}
        y1={y}
        y2={y}
        x1={wx0}
        x2={wx1}
        className={Math.abs(y) < step / 2 ? 'jp-JnoLab-axis' : 'jp-JnoLab-grid'}
        vectorEffect="non-scaling-stroke"
      />
    );
  }

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
  const segments: { key: string; a: Point; b: Point }[] = [];
  preview?.polygons.forEach((rings, i) =>
    rings.forEach((ring, j) =>
      ring
        .slice(1)
        .forEach((b, k) =>
          segments.push({ key: `${i}.${j}.${k}`, a: ring[k], b })
        )
    )
  );

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
          <g className="jp-JnoLab-gridLines">{gridLines}</g>
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
          {props.showPoints &&
            preview &&
            [...preview.points.entries()].map(([tag, pts]) => (
              <path
                key={tag}
                className="jp-JnoLab-points"
                data-tag={tag}
                d={pointsPath(
                  pts,
                  preview.columns.get(tag) ?? preview.dimension,
                  (-14 * (1 + tagNames.indexOf(tag))) / v.scale
                )}
                stroke={
                  TAG_COLORS[
                    Math.max(0, tagNames.indexOf(tag)) % TAG_COLORS.length
                  ]
                }
                vectorEffect="non-scaling-stroke"
              />
            ))}
          {props.pickTag !== null &&
            segments.map(({ key, a, b }) => {
              const on = pickEdges.some(
                ([p, q]) =>
                  (dist(p, a) < 1e-9 && dist(q, b) < 1e-9) ||
                  (dist(p, b) < 1e-9 && dist(q, a) < 1e-9)
              );
              return (
                <line
                  key={key}
                  className={`jp-JnoLab-edge${on ? ' jp-mod-tagged' : ''}`}
                  data-edge={`${a[0]},${a[1]},${b[0]},${b[1]}`}
                  x1={a[0]}
                  y1={a[1]}
                  x2={b[0]}
                  y2={b[1]}
                  vectorEffect="non-scaling-stroke"
                  onPointerDown={e => {
                    e.stopPropagation();
                    const index = props.pickTag as number;
                    model.edit(d => toggleTagEdge(d, index, [a, b]));
                  }}
                />
              );
            })}
          {selectedShape &&
            tool === 'select' &&
            handles(selectedShape).map(([name, q]) => (
              <rect
                key={name}
                className="jp-JnoLab-handleSquare"
                data-handle={name}
                x={q[0] - handleSize / 2}
                y={q[1] - handleSize / 2}
                width={handleSize}
                height={handleSize}
                vectorEffect="non-scaling-stroke"
                onPointerDown={startHandle(selectedShape, name)}
              />
            ))}
          {selectedShape && rotateAt && selectedShape.center && (
            <g className="jp-JnoLab-rotate">
              <line
                className="jp-JnoLab-rotateStalk"
                x1={selectedShape.center[0]}
                y1={selectedShape.center[1]}
                x2={rotateAt[0]}
                y2={rotateAt[1]}
                vectorEffect="non-scaling-stroke"
              />
              <circle
                className="jp-JnoLab-rotateHandle"
                data-handle="rotate"
                cx={rotateAt[0]}
                cy={rotateAt[1]}
                r={handleSize * 0.7}
                vectorEffect="non-scaling-stroke"
                onPointerDown={startHandle(selectedShape, 'rotate')}
              >
                <title>
                  Drag to rotate ({+(selectedShape.angle ?? 0).toFixed(1)}°;
                  steps of {ROTATE_SNAP_DEG}° while snapping)
                </title>
              </circle>
            </g>
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
