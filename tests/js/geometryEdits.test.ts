import { newDocument, type IPrimitive } from '../../src/document/types';
import {
  addPrimitive,
  addTag,
  ellipseAngleTowards,
  moveCsgArg,
  pruneCsg,
  removePrimitive,
  removeTag,
  replacePrimitive,
  setCsgOp,
  setInterval1d,
  setSampling,
  setTime,
  toggleTagEdge,
  translated
} from '../../src/model/geometryEdits';

const circle: Omit<IPrimitive, 'id'> = {
  type: 'circle',
  center: [0.5, 0.5],
  radius: 0.2
};

describe('geometry edits', () => {
  it('joins new shapes to the CSG tree, flattening same operations', () => {
    const [first, id] = addPrimitive(newDocument(), circle, 'difference');
    let doc = first;
    expect(id).toBe('circle1');
    expect(doc.geometry.csg).toEqual({
      op: 'difference',
      args: ['square', 'circle1']
    });
    [doc] = addPrimitive(doc, circle, 'difference');
    expect(doc.geometry.csg).toEqual({
      op: 'difference',
      args: ['square', 'circle1', 'circle2']
    });
    [doc] = addPrimitive(doc, circle, 'union');
    expect(doc.geometry.csg).toEqual({
      op: 'union',
      args: [
        { op: 'difference', args: ['square', 'circle1', 'circle2'] },
        'circle3'
      ]
    });
  });

  it('removes a primitive from the tree and its tags, never the last one', () => {
    let [doc] = addPrimitive(newDocument(), circle, 'union');
    [doc] = addTag(doc, { primitive: 'circle1' }, 'hole');
    doc = removePrimitive(doc, 'circle1');
    expect(doc.geometry.csg).toBe('square');
    expect(doc.geometry.tags).toEqual([]);
    expect(removePrimitive(doc, 'square')).toBe(doc);
  });

  it('prunes and collapses CSG operations', () => {
    const tree = {
      op: 'union' as const,
      args: ['a', { op: 'difference' as const, args: ['b', 'c'] }]
    };
    expect(pruneCsg(tree, 'c')).toEqual({ op: 'union', args: ['a', 'b'] });
    expect(pruneCsg('a', 'a')).toBeNull();
  });

  it('changes and reorders operations at a path', () => {
    let [doc] = addPrimitive(newDocument(), circle, 'union');
    [doc] = addPrimitive(doc, circle, 'difference');
    doc = setCsgOp(doc, [0], 'intersection');
    expect(doc.geometry.csg).toEqual({
      op: 'difference',
      args: [{ op: 'intersection', args: ['square', 'circle1'] }, 'circle2']
    });
    doc = moveCsgArg(doc, [], 1, -1);
    expect(doc.geometry.csg).toMatchObject({ args: ['circle2', {}] });
    expect(moveCsgArg(doc, [], 0, -1).geometry.csg).toEqual(doc.geometry.csg);
  });

  it('translates every kind of primitive', () => {
    expect(
      translated({ id: 'r', type: 'rectangle', x: [0, 1], y: [0, 2] }, 1, -1)
    ).toEqual({ id: 'r', type: 'rectangle', x: [1, 2], y: [-1, 1] });
    expect(
      translated(
        {
          id: 'p',
          type: 'polygon',
          points: [
            [0, 0],
            [1, 0],
            [0, 1]
          ]
        },
        2,
        3
      ).points
    ).toEqual([
      [2, 3],
      [3, 3],
      [2, 4]
    ]);
    expect(
      translated(
        { id: 'e', type: 'ellipse', center: [0, 0], radii: [1, 2], angle: 30 },
        1,
        1
      )
    ).toEqual({
      id: 'e',
      type: 'ellipse',
      center: [1, 1],
      radii: [1, 2],
      angle: 30
    });
    expect(
      translated({ id: 'i', type: 'interval', x: [0, 1] }, 5, 5).x
    ).toEqual([0, 1]);
  });

  it('replaces a primitive keeping its id', () => {
    const doc = replacePrimitive(newDocument(), 'square', {
      id: 'other',
      type: 'rectangle',
      x: [0, 2],
      y: [0, 1]
    });
    expect(doc.geometry.primitives).toEqual([
      { id: 'square', type: 'rectangle', x: [0, 2], y: [0, 1] }
    ]);
  });

  it('toggles a boundary edge of a tag either way round', () => {
    const [tagged, index] = addTag(newDocument(), {}, 'wall');
    let doc = tagged;
    expect(doc.geometry.tags?.[index].name).toBe('wall1');
    doc = toggleTagEdge(doc, index, [
      [0, 0],
      [1, 0]
    ]);
    expect(doc.geometry.tags?.[0].edges).toEqual([
      [
        [0, 0],
        [1, 0]
      ]
    ]);
    doc = toggleTagEdge(doc, index, [
      [1, 0],
      [0, 0]
    ]);
    expect(doc.geometry.tags?.[0]).toEqual({ name: 'wall1' });
    expect(
      toggleTagEdge(doc, 7, [
        [0, 0],
        [1, 1]
      ])
    ).toBe(doc);
    expect(removeTag(doc, 0).geometry.tags).toEqual([]);
  });

  it('sets the time axis, sampling and the 1-D interval', () => {
    let doc = setTime(newDocument(), { t0: 0, t1: 1, steps: 10 });
    expect(doc.geometry.time).toEqual({ t0: 0, t1: 1, steps: 10 });
    doc = setSampling(doc, 'boundary', null);
    expect(doc.geometry.sampling).toEqual({ interior: 1024 });
    doc = setSampling(doc, 'wall1', 64);
    expect(doc.geometry.sampling?.wall1).toBe(64);
    const line = {
      ...newDocument(),
      geometry: {
        dimension: 1 as const,
        primitives: [
          {
            id: 'line',
            type: 'interval' as const,
            x: [0, 1] as [number, number]
          }
        ],
        csg: 'line'
      }
    };
    const moved = setInterval1d(line, [-1, 2], 0.5);
    expect(moved.geometry.primitives[0].x).toEqual([-1, 2]);
    expect(moved.geometry.mesh_size).toBe(0.5);
    expect(setInterval1d(moved, [-1, 2], null).geometry).not.toHaveProperty(
      'mesh_size'
    );
  });
});

describe('ellipseAngleTowards', () => {
  it('turns the second axis towards the point', () => {
    expect(ellipseAngleTowards([0, 0], [0, 1])).toBe(0);
    expect(ellipseAngleTowards([1, 1], [0, 1])).toBe(90);
    expect(ellipseAngleTowards([0, 0], [1, 0])).toBe(-90);
    expect(ellipseAngleTowards([0, 0], [0, -1])).toBe(180);
    expect(ellipseAngleTowards([0, 0], [-1, 1])).toBeCloseTo(45, 12);
    expect(ellipseAngleTowards([0, 0], [0, 0])).toBe(0);
  });

  it('rounds to the step while snapping', () => {
    const p: [number, number] = [-Math.sin(0.5), Math.cos(0.5)]; // 28.6°
    expect(ellipseAngleTowards([0, 0], p)).toBeCloseTo(28.6479, 3);
    expect(ellipseAngleTowards([0, 0], p, 15)).toBe(30);
  });
});
