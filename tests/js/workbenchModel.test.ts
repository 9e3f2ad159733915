import { newDocument } from '../../src/document/types';
import { CATALOGUE } from '../../src/model/catalogue';
import { addNode, connect, setParam } from '../../src/model/graphEdits';
import {
  WorkbenchModel,
  type ChangeOrigin
} from '../../src/model/workbenchModel';

function track(model: WorkbenchModel): ChangeOrigin[] {
  const origins: ChangeOrigin[] = [];
  model.changed.connect((_, origin) => origins.push(origin));
  return origins;
}

describe('WorkbenchModel', () => {
  it('gives back the exact document after edits and undo', () => {
    const start = newDocument('t');
    const before = JSON.stringify(start);
    const model = new WorkbenchModel(start);
    const origins = track(model);
    model.edit(d => addNode(d, CATALOGUE, 'variables', [0, 0])[0]);
    model.edit(d => addNode(d, CATALOGUE, 'mlp', [200, 0])[0]);
    expect(model.document.graph.nodes.map(n => n.id)).toEqual([
      'variables1',
      'mlp1'
    ]);
    model.undo();
    model.undo();
    expect(model.document).toBe(start);
    expect(JSON.stringify(model.document)).toBe(before);
    model.redo();
    expect(model.document.graph.nodes.map(n => n.id)).toEqual(['variables1']);
    expect(origins).toEqual(['edit', 'edit', 'undo', 'undo', 'redo']);
  });

  it('ignores edits that return the same document', () => {
    const model = new WorkbenchModel(newDocument());
    const origins = track(model);
    model.edit(d => d);
    expect(origins).toEqual([]);
    expect(model.canUndo).toBe(false);
  });

  it('merges edits with one coalesce key into one undo step', () => {
    const [doc, id] = addNode(newDocument(), CATALOGUE, 'mlp', [0, 0]);
    const model = new WorkbenchModel(doc);
    for (const hidden of [8, 16, 32]) {
      model.edit(d => setParam(d, CATALOGUE, id, 'hidden', hidden), {
        coalesce: 'hidden'
      });
    }
    expect(model.document.graph.nodes[0].params?.hidden).toBe(32);
    model.undo();
    expect(model.document).toBe(doc);
    expect(model.canUndo).toBe(false);
  });

  it('does not merge edits with different keys', () => {
    const [doc, id] = addNode(newDocument(), CATALOGUE, 'mlp', [0, 0]);
    const model = new WorkbenchModel(doc);
    model.edit(d => setParam(d, CATALOGUE, id, 'hidden', 8), { coalesce: 'a' });
    model.edit(d => setParam(d, CATALOGUE, id, 'depth', 2), { coalesce: 'b' });
    model.undo();
    expect(model.document.graph.nodes[0].params?.hidden).toBe(8);
    expect(model.document.graph.nodes[0].params?.depth).not.toBe(2);
  });

  it('starts a new history on load and keeps only known selected nodes', () => {
    let [doc] = addNode(newDocument(), CATALOGUE, 'variables', [0, 0]);
    [doc] = addNode(doc, CATALOGUE, 'mlp', [0, 0]);
    const model = new WorkbenchModel(doc);
    model.select(['variables1', 'mlp1']);
    let selectionChanges = 0;
    model.selectionChanged.connect(() => selectionChanges++);
    const [reloaded] = addNode(newDocument(), CATALOGUE, 'mlp', [0, 0]);
    model.load(reloaded);
    expect([...model.selection]).toEqual(['mlp1']);
    expect(selectionChanges).toBe(1);
    expect(model.canUndo).toBe(false);
  });

  it('emits problems and focus requests', () => {
    const model = new WorkbenchModel(newDocument());
    const focused: string[] = [];
    model.focusRequested.connect((_, id) => focused.push(id));
    model.focusNode('n1');
    expect(focused).toEqual(['n1']);
    expect([...model.selection]).toEqual(['n1']);
    model.setProblems([
      { code: 'no_constraint', message: 'm', node_id: null, port: null }
    ]);
    expect(model.problems.map(p => p.code)).toEqual(['no_constraint']);
  });

  it('keeps every snapshot immutable (a wire does not touch the old document)', () => {
    let [doc] = addNode(newDocument(), CATALOGUE, 'mlp', [0, 0]);
    [doc] = addNode(doc, CATALOGUE, 'call', [200, 0]);
    const frozen = JSON.stringify(doc);
    const model = new WorkbenchModel(doc);
    model.edit(d =>
      connect(d, {
        source: 'mlp1',
        sourcePort: 'model',
        target: 'call1',
        targetPort: 'model'
      })
    );
    expect(JSON.stringify(doc)).toBe(frozen);
    expect(model.document.graph.edges).toHaveLength(1);
  });
});
