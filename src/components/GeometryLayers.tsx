import * as React from 'react';

import type { IPrimitive, Point } from '../document/types';
import { handlesOf } from '../model/geometryHandles';
import type { IGeometryPreview } from '../model/geometryPreview';

/** Colours of tags' points (theme variables). */
export const TAG_COLORS = [
  'var(--jp-brand-color1)',
  'var(--jp-warn-color1)',
  'var(--jp-success-color1)',
  'var(--jp-error-color1)',
  'var(--jp-brand-color3)',
  'var(--jp-warn-color3)'
];

/** Degrees a rotation snaps to while grid snapping is on. */
export const ROTATE_SNAP_DEG = 15;

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** Grid lines every `step` over the world box [x0, x1] × [y0, y1]. */
export function gridLines(
  step: number,
  [x0, y0, x1, y1]: number[]
): JSX.Element[] {
  const lines: JSX.Element[] = [];
  const kind = (v: number): string =>
    Math.abs(v) < step / 2 ? 'jp-JnoLab-axis' : 'jp-JnoLab-grid';
  for (let x = Math.ceil(x0 / step) * step; x <= x1; x += step) {
    lines.push(
      <line
        key={`x${x}`}
        x1={x}
        x2={x}
        y1={y0}
        y2={y1}
        className={kind(x)}
        vectorEffect="non-scaling-stroke"
      />
    );
  }
  for (let y = Math.ceil(y0 / step) * step; y <= y1; y += step) {
    lines.push(
      <line
        key={`y${y}`}
        y1={y}
        y2={y}
        x1={x0}
        x2={x1}
        className={kind(y)}
        vectorEffect="non-scaling-stroke"
      />
    );
  }
  return lines;
}

/** An SVG path of closed rings. */
export function ringPath(rings: Point[][]): string {
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

/** The preview's sampled points, one path per tag coloured by `tagNames`. */
export function PreviewPoints(props: {
  preview: IGeometryPreview;
  tagNames: string[];
  scale: number;
}): JSX.Element {
  const { preview, tagNames } = props;
  return (
    <>
      {[...preview.points.entries()].map(([tag, pts]) => (
        <path
          key={tag}
          className="jp-JnoLab-points"
          data-tag={tag}
          d={pointsPath(
            pts,
            preview.columns.get(tag) ?? preview.dimension,
            (-14 * (1 + tagNames.indexOf(tag))) / props.scale
          )}
          stroke={
            TAG_COLORS[Math.max(0, tagNames.indexOf(tag)) % TAG_COLORS.length]
          }
          vectorEffect="non-scaling-stroke"
        />
      ))}
    </>
  );
}

/** The outline's edges, clickable to add or remove them from a tag. */
export function EdgePicker(props: {
  preview: IGeometryPreview | null;
  edges: [Point, Point][];
  onToggle: (segment: [Point, Point]) => void;
}): JSX.Element {
  const segments: { key: string; a: Point; b: Point }[] = [];
  props.preview?.polygons.forEach((rings, i) =>
    rings.forEach((ring, j) =>
      ring
        .slice(1)
        .forEach((b, k) =>
          segments.push({ key: `${i}.${j}.${k}`, a: ring[k], b })
        )
    )
  );
  return (
    <>
      {segments.map(({ key, a, b }) => {
        const on = props.edges.some(
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
              props.onToggle([a, b]);
            }}
          />
        );
      })}
    </>
  );
}

/** The drag handles of the selected shape, and its rotation handle if any. */
export function SelectionHandles(props: {
  shape: IPrimitive;
  rotateAt: Point | null;
  size: number;
  onStart: (handle: string) => (e: React.PointerEvent) => void;
}): JSX.Element {
  const { shape, rotateAt, size } = props;
  return (
    <>
      {handlesOf(shape).map(({ name, at: q }) => (
        <rect
          key={name}
          className="jp-JnoLab-handleSquare"
          data-handle={name}
          x={q[0] - size / 2}
          y={q[1] - size / 2}
          width={size}
          height={size}
          vectorEffect="non-scaling-stroke"
          onPointerDown={props.onStart(name)}
        />
      ))}
      {rotateAt && shape.center && (
        <g className="jp-JnoLab-rotate">
          <line
            className="jp-JnoLab-rotateStalk"
            x1={shape.center[0]}
            y1={shape.center[1]}
            x2={rotateAt[0]}
            y2={rotateAt[1]}
            vectorEffect="non-scaling-stroke"
          />
          <circle
            className="jp-JnoLab-rotateHandle"
            data-handle="rotate"
            cx={rotateAt[0]}
            cy={rotateAt[1]}
            r={size * 0.7}
            vectorEffect="non-scaling-stroke"
            onPointerDown={props.onStart('rotate')}
          >
            <title>
              Drag to rotate ({+(shape.angle ?? 0).toFixed(1)}°; steps of{' '}
              {ROTATE_SNAP_DEG}° while snapping)
            </title>
          </circle>
        </g>
      )}
    </>
  );
}
