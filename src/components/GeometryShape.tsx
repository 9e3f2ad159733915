import * as React from 'react';

import type { IPrimitive, PrimitiveType } from '../document/types';

/** Attributes every primitive's SVG element gets. */
interface ICommonAttributes {
  className: string;
  vectorEffect: string;
  onPointerDown?: (e: React.PointerEvent) => void;
  'data-primitive': string;
}

type Draw = (p: IPrimitive, common: ICommonAttributes) => JSX.Element | null;

/** The SVG element of each primitive type, in world coordinates. */
const DRAW: Record<PrimitiveType, Draw> = {
  interval: () => null,
  rectangle: (p, common) =>
    p.x && p.y ? (
      <rect
        {...common}
        x={p.x[0]}
        y={p.y[0]}
        width={p.x[1] - p.x[0]}
        height={p.y[1] - p.y[0]}
      />
    ) : null,
  circle: (p, common) =>
    p.center && p.radius ? (
      <circle {...common} cx={p.center[0]} cy={p.center[1]} r={p.radius} />
    ) : null,
  ellipse: (p, common) =>
    p.center && p.radii ? (
      <ellipse
        {...common}
        cx={p.center[0]}
        cy={p.center[1]}
        rx={p.radii[0]}
        ry={p.radii[1]}
        transform={`rotate(${p.angle ?? 0} ${p.center[0]} ${p.center[1]})`}
      />
    ) : null,
  polygon: (p, common) =>
    p.points ? (
      <polygon {...common} points={p.points.map(q => q.join(',')).join(' ')} />
    ) : null
};

/** Props of {@link Shape}. */
export interface IShapeProps {
  primitive: IPrimitive;
  className: string;
  onPointerDown?: (e: React.PointerEvent) => void;
}

/** The SVG element of a primitive (in world coordinates). */
export function Shape(props: IShapeProps): JSX.Element | null {
  const p = props.primitive;
  const draw = DRAW[p.type];
  return draw
    ? draw(p, {
        className: props.className,
        vectorEffect: 'non-scaling-stroke',
        onPointerDown: props.onPointerDown,
        'data-primitive': p.id
      })
    : null;
}
