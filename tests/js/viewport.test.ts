import {
  fitBounds,
  gridStep,
  primitiveBounds,
  snap,
  toScreen,
  toWorld,
  zoomAt
} from '../../src/model/viewport';

describe('viewport', () => {
  const v = { cx: 1, cy: 2, scale: 50 };

  it('maps world to screen with y up, and back', () => {
    expect(toScreen(v, 400, 300, [1, 2])).toEqual([200, 150]);
    expect(toScreen(v, 400, 300, [2, 3])).toEqual([250, 100]);
    expect(toWorld(v, 400, 300, [250, 100])).toEqual([2, 3]);
  });

  it('zooms keeping the point under the cursor fixed', () => {
    const s: [number, number] = [320, 40];
    const before = toWorld(v, 400, 300, s);
    const zoomed = zoomAt(v, 400, 300, s, 2.5);
    expect(zoomed.scale).toBe(125);
    const after = toWorld(zoomed, 400, 300, s);
    expect(after[0]).toBeCloseTo(before[0], 12);
    expect(after[1]).toBeCloseTo(before[1], 12);
    expect(zoomAt(v, 400, 300, s, 1e12).scale).toBe(1e6);
  });

  it('bounds every primitive kind (rotated ellipses by their larger radius)', () => {
    expect(
      primitiveBounds([
        { id: 'r', type: 'rectangle', x: [0, 1], y: [0, 1] },
        { id: 'c', type: 'circle', center: [2, 0], radius: 0.5 },
        {
          id: 'e',
          type: 'ellipse',
          center: [0, 3],
          radii: [0.5, 1],
          angle: 45
        },
        {
          id: 'p',
          type: 'polygon',
          points: [
            [-1, 0],
            [0, -2],
            [0, 0]
          ]
        }
      ])
    ).toEqual([-1, -2, 2.5, 4]);
    expect(primitiveBounds([])).toBeNull();
  });

  it('fits bounds with a margin', () => {
    expect(fitBounds([0, 0, 2, 1], 400, 400)).toEqual({
      cx: 1,
      cy: 0.5,
      scale: 160
    });
    expect(fitBounds(null, 100, 100)).toEqual({ cx: 0.5, cy: 0.5, scale: 80 });
  });

  it('chooses round grid steps and snaps to them', () => {
    expect(gridStep(100)).toBe(0.5);
    expect(gridStep(400)).toBe(0.1);
    expect(gridStep(10)).toBe(5);
    expect(snap(0.349, 0.1)).toBe(0.3);
    expect(snap(0.35000001, 0.1)).toBe(0.4);
    expect(snap(0.1 + 0.2, 0.1)).toBe(0.3);
  });
});
