import { newDocument, type IWorkbenchDocument } from '../../src/document/types';
import { CATALOGUE } from '../../src/model/catalogue';
import {
  addNode,
  connect,
  copyNodes,
  edgeId,
  moveNodes,
  pasteClip,
  removeElements,
  setLabel,
  setParam,
  uniqueId,
  wireRefusal
} from '../../src/model/graphEdits';

/** variables1 -> call1.in1/in2, mlp1 -> call1.model, call1 -> laplacian1.target */
function poissonStart(): IWorkbenchDocument {
  let doc = newDocument();
  for (const [type, x] of [
    ['variables', 0],
    ['mlp', 0],
    ['call', 240],
    ['laplacian', 480]
  ] as const) {
    [doc] = addNode(doc, CATALOGUE, type, [x, 0]);
  }
  const wires = [
    ['variables1', 'x', 'call1', 'in1'],
    ['variables1', 'y', 'call1', 'in2'],
    ['mlp1', 'model', 'call1', 'model'],
    ['call1', 'out', 'laplacian1', 'target']
  ];
  for (const [source, sourcePort, target, targetPort] of wires) {
    doc = connect(doc, { source, sourcePort, target, targetPort });
  }
  return doc;
}

describe('graph edits', () => {
  it('adds nodes with fresh ids, rounded positions and default params', () => {
    const [doc, id] = addNode(newDocument(), CATALOGUE, 'mlp', [10.4, 20.6]);
    const [doc2, id2] = addNode(doc, CATALOGUE, 'mlp', [0, 0]);
    expect([id, id2]).toEqual(['mlp1', 'mlp2']);
    const node = doc2.graph.nodes[0];
    expect(node.position).toEqual([10, 21]);
    expect(node.params).toMatchObject({
      hidden: 64,
      depth: 4,
      activation: 'tanh'
    });
  });

  it('makes ids unique and safe', () => {
    expect(uniqueId('a b', new Set(['a_b1']))).toBe('a_b2');
    expect(uniqueId('', new Set())).toBe('node1');
  });

  it('replaces the wire into an input that already has one', () => {
    let doc = poissonStart();
    doc = connect(doc, {
      source: 'variables1',
      sourcePort: 'y',
      target: 'call1',
      targetPort: 'in1'
    });
    const into = doc.graph.edges.filter(
      e => e.target === 'call1' && e.targetPort === 'in1'
    );
    expect(into).toHaveLength(1);
    expect(into[0].sourcePort).toBe('y');
    expect(into[0].id).toBe(edgeId(into[0]));
  });

  it('refuses wires of incompatible types, naming both ports', () => {
    const doc = poissonStart();
    const wire = {
      source: 'call1',
      sourcePort: 'out',
      target: 'laplacian1',
      targetPort: 'var1'
    };
    expect(wireRefusal(doc, CATALOGUE, wire)).toBe(
      'laplacian1.var1 takes variable, not field (from call1.out)'
    );
    expect(
      wireRefusal(doc, CATALOGUE, {
        ...wire,
        source: 'variables1',
        sourcePort: 'x'
      })
    ).toBeNull();
  });

  it('refuses self wires and unknown nodes or ports', () => {
    const doc = poissonStart();
    const base = { sourcePort: 'out', targetPort: 'target' };
    expect(
      wireRefusal(doc, CATALOGUE, { ...base, source: 'call1', target: 'call1' })
    ).toBe('node call1 cannot feed itself');
    expect(
      wireRefusal(doc, CATALOGUE, { ...base, source: 'nope', target: 'call1' })
    ).toBe('no node nope');
    expect(
      wireRefusal(doc, CATALOGUE, {
        source: 'call1',
        sourcePort: 'out',
        target: 'laplacian1',
        targetPort: 'var9'
      })
    ).toBe('node laplacian1 has no input var9');
    expect(
      wireRefusal(doc, CATALOGUE, {
        source: 'mlp1',
        sourcePort: 'nothing',
        target: 'call1',
        targetPort: 'model'
      })
    ).toBe('node mlp1 has no output nothing');
  });

  it('removes nodes with their wires, and single wires', () => {
    const doc = poissonStart();
    const without = removeElements(doc, ['call1']);
    expect(without.graph.nodes.map(n => n.id)).toEqual([
      'variables1',
      'mlp1',
      'laplacian1'
    ]);
    expect(without.graph.edges).toEqual([]);
    const oneWire = removeElements(doc, [], [doc.graph.edges[0].id as string]);
    expect(oneWire.graph.edges).toHaveLength(3);
    expect(oneWire.graph.nodes).toHaveLength(4);
  });

  it('drops wires into dynamic inputs that a parameter change removes', () => {
    const doc = setParam(poissonStart(), CATALOGUE, 'call1', 'inputs', 1);
    const ports = doc.graph.edges
      .filter(e => e.target === 'call1')
      .map(e => e.targetPort)
      .sort();
    expect(ports).toEqual(['in1', 'model']);
    const cleared = setParam(doc, CATALOGUE, 'call1', 'inputs', undefined);
    expect(cleared.graph.nodes[2].params).not.toHaveProperty('inputs');
    expect(setParam(doc, CATALOGUE, 'missing', 'x', 1)).toBe(doc);
  });

  it('moves nodes and sets or clears labels', () => {
    let doc = moveNodes(poissonStart(), new Map([['mlp1', [5.5, -3.2]]]));
    expect(doc.graph.nodes[1].position).toEqual([6, -3]);
    doc = setLabel(doc, 'mlp1', 'u');
    expect(doc.graph.nodes[1].label).toBe('u');
    doc = setLabel(doc, 'mlp1', '');
    expect(doc.graph.nodes[1]).not.toHaveProperty('label');
  });

  it('copies nodes with their inner wires and pastes them with new ids', () => {
    const doc = poissonStart();
    const clip = copyNodes(doc, ['variables1', 'call1']);
    expect(clip.edges.map(e => e.targetPort).sort()).toEqual(['in1', 'in2']);
    const [pasted, ids] = pasteClip(doc, clip, [20, 30]);
    expect(ids).toEqual(['variables2', 'call2']);
    expect(pasted.graph.nodes.find(n => n.id === 'call2')?.position).toEqual([
      260, 30
    ]);
    const newWires = pasted.graph.edges.slice(doc.graph.edges.length);
    expect(newWires.map(e => `${e.source}->${e.target}`)).toEqual([
      'variables2->call2',
      'variables2->call2'
    ]);
    expect(newWires.every(e => e.id === edgeId(e))).toBe(true);
  });
});
