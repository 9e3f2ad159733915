import type { IPrimitive, Point } from '../../src/document/types';
import {
  CSG_OPS,
  drawingTools,
  newPrimitive,
  primitiveSpec
} from '../../src/model/geometryCatalogue';
import {
  dragged,
  handlesOf,
  handleSpec,
  rotationHandle
} from '../../src/model/geometryHandles';
import { drawnPrimitive } from '../../src/model/primitiveShapes';

const rect: IPrimitive = { id: 'r', type: 'rectangle', x: [0, 2], y: [0, 1] };
const circle: IPrimitive = {
  id: 'c',
  type: 'circle',
  center: [1, 1],
  radius: 2
};
const ellipse: IPrimitive = {
  id: 'e',
  type: 'ellipse',
  center: [1, 2],
  radii: [3, 1],
  angle: 90
};
const triangle: IPrimitive = {
  id: 'p',
  type: 'polygon',
  points: [
    [0, 0],
    [1, 0],
    [0, 1]
  ]
};

function positions(p: IPrimitive): [string, Point][] {
  return handlesOf(p).map(h => [
    h.name,
    [+h.at[0].toFixed(12), +h.at[1].toFixed(12)]
  ]);
}

describe('geometry catalogue', () => {
  it('lists the drawing tools with their shortcuts and help', () => {
    expect(drawingTools().map(t => [t.type, t.key])).toEqual([
      ['rectangle', 'R'],
      ['circle', 'C'],
      ['ellipse', 'E'],
      ['polygon', 'P']
    ]);
    expect(primitiveSpec('circle')?.drawHelp).toBe(
      'Draw a circle: drag from the centre'
    );
    expect(primitiveSpec('hexagon')).toBeUndefined();
    expect(CSG_OPS).toEqual([
      'union',
      'difference',
      'intersection',
      'symmetric_difference'
    ]);
  });

  it('makes new primitives from the defaults, each a fresh copy', () => {
    const a = newPrimitive('polygon');
    const b = newPrimitive('polygon');
    expect(a).toEqual({
      type: 'polygon',
      points: [
        [0, 0],
        [1, 0],
        [0, 1]
      ]
    });
    a.points![0][0] = 5;
    expect(b.points![0][0]).toBe(0);
    expect(newPrimitive('ellipse').angle).toBe(0);
  });

  it('draws primitives from a drag, filling the other fields with defaults', () => {
    expect(drawnPrimitive('rectangle', [2, 3], [0, 1])).toEqual({
      type: 'rectangle',
      x: [0, 2],
      y: [1, 3]
    });
    expect(drawnPrimitive('ellipse', [1, 1], [3, 0])).toEqual({
      type: 'ellipse',
      center: [1, 1],
      radii: [2, 1],
      angle: 0
    });
    expect(drawnPrimitive('circle', [0, 0], [3, 4])).toEqual({
      type: 'circle',
      center: [0, 0],
      radius: 5
    });
    expect(drawnPrimitive('rectangle', [0, 0], [1, 0])).toBeNull();
    expect(drawnPrimitive('polygon', [0, 0], [1, 1])).toBeNull();
  });
});

describe('geometry handles', () => {
  it('places the handles of every primitive type', () => {
    expect(positions(rect)).toEqual([
      ['x0y0', [0, 0]],
      ['x1y0', [2, 0]],
      ['x0y1', [0, 1]],
      ['x1y1', [2, 1]]
    ]);
    expect(positions(circle)).toEqual([['r', [3, 1]]]);
    expect(positions(ellipse)).toEqual([
      ['rx', [1, 5]],
      ['ry', [0, 2]]
    ]);
    expect(positions(triangle).map(([n]) => n)).toEqual(['v0', 'v1', 'v2']);
    expect(positions({ id: 'i', type: 'interval', x: [0, 1] })).toEqual([]);
  });

  it('places the rotation handle beyond the second axis', () => {
    const at = rotationHandle(ellipse, 10) as Point;
    expect(at[0]).toBeCloseTo(1 - 3.4, 12);
    expect(at[1]).toBeCloseTo(2, 12);
    expect(rotationHandle(rect, 10)).toBeNull();
  });

  it('drags corners, radii, axes, angles and vertices', () => {
    expect(dragged(rect, 'x0y1', [3, -1])).toMatchObject({
      x: [2, 3],
      y: [-1, 0]
    });
    expect(dragged(circle, 'r', [1, 4]).radius).toBe(3);
    expect(dragged(circle, 'r', [1, 1]).radius).toBe(1e-9);
    const stretched = dragged(ellipse, 'rx', [1, -2]);
    expect(stretched.radii![0]).toBeCloseTo(4, 12);
    expect(stretched.radii![1]).toBe(1);
    expect(dragged(ellipse, 'rotate', [1, 3]).angle).toBe(0);
    expect(dragged(ellipse, 'rotate', [2, 2.2], 15).angle).toBe(-75);
    expect(dragged(triangle, 'v2', [5, 5]).points).toEqual([
      [0, 0],
      [1, 0],
      [5, 5]
    ]);
  });

  it('ignores unknown handles', () => {
    expect(handleSpec(rect, 'nope')).toBeNull();
    expect(handleSpec(triangle, 'vx')).toBeNull();
    expect(dragged(rect, 'nope', [9, 9])).toBe(rect);
  });
});
