import { newDocument } from '../../src/document/types';
import {
  meshChoices,
  meshOf,
  meshProblem,
  setMesh
} from '../../src/model/devices';

describe('device mesh', () => {
  it('lists every factorisation of the device count', () => {
    expect(meshChoices(1)).toEqual([[1, 1]]);
    expect(meshChoices(4)).toEqual([
      [4, 1],
      [2, 2],
      [1, 4]
    ]);
    expect(meshChoices(6).length).toBe(4);
  });

  it('accepts a mesh whose product is the device count', () => {
    expect(meshProblem([2, 2], 4)).toBeNull();
    expect(meshProblem([1, 1], 1)).toBeNull();
  });

  it('says what is wrong with a mesh that does not fit', () => {
    expect(meshProblem([2, 1], 1)).toBe(
      'mesh batch × model = 2 × 1 = 2, but the kernel has 1 device: choose 1 × 1'
    );
    expect(meshProblem([3, 1], 4)).toBe(
      'mesh batch × model = 3 × 1 = 3, but the kernel has 4 devices: choose 4 × 1, 2 × 2, 1 × 4'
    );
    expect(meshProblem([0, 1], 1)).toBe(
      'mesh batch must be a whole number from 1, not 0'
    );
    expect(meshProblem([1, 1.5], 1)).toBe(
      'mesh model must be a whole number from 1, not 1.5'
    );
  });

  it('writes the mesh field, and nothing when it is unchanged', () => {
    const doc = newDocument();
    expect(setMesh(doc, [1, 1])).toBe(doc);
    const next = setMesh(doc, [2, 2]);
    expect(next.mesh).toEqual([2, 2]);
    expect(meshOf(next)).toEqual([2, 2]);
    expect({ ...next, mesh: doc.mesh }).toEqual(doc);
    const bare = { ...doc };
    delete bare.mesh;
    expect(meshOf(bare)).toEqual([1, 1]);
  });
});
