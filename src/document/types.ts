/**
 * The workbench document (`*.jnolab`): its types, generated from
 * `jno_lab/workbench/document.schema.json` into `types.generated.ts`, and the
 * helpers that make, save and read documents.
 */
import {
  DOCUMENT_FORMAT,
  DOCUMENT_VERSION,
  type IWorkbenchDocument
} from './types.generated';

export * from './types.generated';

/**
 * An empty, valid document: the unit square, no nodes, one training phase
 * (the same as `jno_lab.workbench.new_document`).
 */
export function newDocument(title = 'Untitled'): IWorkbenchDocument {
  return {
    format: DOCUMENT_FORMAT,
    version: DOCUMENT_VERSION,
    meta: { title, description: '' },
    seed: 42,
    mesh: [1, 1],
    geometry: {
      dimension: 2,
      primitives: [{ id: 'square', type: 'rectangle', x: [0, 1], y: [0, 1] }],
      csg: 'square',
      tags: [],
      sampling: { interior: 1024, boundary: 256 },
      time: null
    },
    graph: { nodes: [], edges: [] },
    training: {
      phases: [{ optimizer: 'adam', learning_rate: 1e-3, epochs: 1000 }]
    },
    layout: {}
  };
}

/** The text of a document as it is saved (indented JSON, final newline). */
export function serialize(doc: IWorkbenchDocument): string {
  return JSON.stringify(doc, null, 2) + '\n';
}

/**
 * Parse document text; throws an Error saying what is wrong when the text is
 * not a workbench document.
 */
export function parseDocument(text: string): IWorkbenchDocument {
  if (!text.trim()) {
    return newDocument();
  }
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('a workbench document is a JSON object');
  }
  const doc = value as Partial<IWorkbenchDocument>;
  if (doc.format !== DOCUMENT_FORMAT) {
    throw new Error(
      `not a workbench document: format must be "${DOCUMENT_FORMAT}"`
    );
  }
  if (!doc.graph || !doc.geometry || !doc.training) {
    throw new Error('a workbench document needs geometry, graph and training');
  }
  return doc as IWorkbenchDocument;
}
