/**
 * The device mesh of a document: `mesh = [batch, model]` spreads the data over
 * `batch` devices and the parameters over `model` devices, so
 * `batch × model` must equal the number of devices of the kernel.
 */
import type { IWorkbenchDocument } from '../document/types';

/** A (batch, model) mesh. */
export type Mesh = [number, number];

/** The document's mesh ([1, 1] when it sets none). */
export function meshOf(doc: IWorkbenchDocument): Mesh {
  const mesh = doc.mesh;
  return Array.isArray(mesh) && mesh.length === 2 ? [mesh[0], mesh[1]] : [1, 1];
}

/** The document with `mesh`. */
export function setMesh(
  doc: IWorkbenchDocument,
  mesh: Mesh
): IWorkbenchDocument {
  const [batch, model] = meshOf(doc);
  if (batch === mesh[0] && model === mesh[1]) {
    return doc;
  }
  return { ...doc, mesh: [mesh[0], mesh[1]] };
}

/** Every (batch, model) mesh of `count` devices, data-parallel first. */
export function meshChoices(count: number): Mesh[] {
  const out: Mesh[] = [];
  for (let model = 1; model <= count; model++) {
    if (count % model === 0) {
      out.push([count / model, model]);
    }
  }
  return out;
}

/**
 * Why `mesh` does not fit `count` devices (null when it does): each axis is
 * a whole number from 1, and batch × model is the device count.
 */
export function meshProblem(mesh: Mesh, count: number): string | null {
  const [batch, model] = mesh;
  for (const [name, value] of [
    ['batch', batch],
    ['model', model]
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      return `mesh ${name} must be a whole number from 1, not ${value}`;
    }
  }
  if (batch * model !== count) {
    const devices = count === 1 ? '1 device' : `${count} devices`;
    const choices = meshChoices(count)
      .map(([b, m]) => `${b} × ${m}`)
      .join(', ');
    return (
      `mesh batch × model = ${batch} × ${model} = ${batch * model}, ` +
      `but the kernel has ${devices}: choose ${choices}`
    );
  }
  return null;
}
