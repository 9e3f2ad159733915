import { newDocument } from '../../src/document/types';
import {
  FlowNodeCache,
  freeSpot,
  problemsByNode,
  toFlowEdge
} from '../../src/components/graphFlowElements';
import { CATALOGUE } from '../../src/model/catalogue';
import { addNode, connect } from '../../src/model/graphEdits';

function twoNodes() {
  let doc = newDocument();
  [doc] = addNode(doc, CATALOGUE, 'variables', [0, 0]);
  [doc] = addNode(doc, CATALOGUE, 'mlp', [0, 200]);
  [doc] = addNode(doc, CATALOGUE, 'call', [240, 0]);
  doc = connect(doc, {
    source: 'variables1',
    sourcePort: 'x',
    target: 'call1',
    targetPort: 'in1'
  });
  return doc;
}

describe('problemsByNode', () => {
  it('groups messages by node and drops document-level ones', () => {
    const byNode = problemsByNode([
      { code: 'a', message: 'one', node_id: 'n1', port: null },
      { code: 'b', message: 'two', node_id: 'n1', port: 'x' },
      { code: 'c', message: 'doc', node_id: null, port: null }
    ]);
    expect([...byNode]).toEqual([['n1', ['one', 'two']]]);
  });
});

describe('freeSpot', () => {
  it('keeps a free start and steps right past a taken one', () => {
    const doc = twoNodes();
    expect(freeSpot(doc.graph.nodes, [1000, 1000])).toEqual([1000, 1000]);
    expect(freeSpot(doc.graph.nodes, [0, 0])).toEqual([600, 0]);
  });
});

describe('toFlowEdge', () => {
  it('maps ports to handles and colours the wire by output type', () => {
    const doc = twoNodes();
    const nodes = new Map(doc.graph.nodes.map(n => [n.id, n]));
    const edge = toFlowEdge(doc.graph.edges[0], CATALOGUE, nodes, true);
    expect(edge).toMatchObject({
      source: 'variables1',
      sourceHandle: 'x',
      target: 'call1',
      targetHandle: 'in1',
      selected: true,
      style: { stroke: 'var(--jp-success-color1)', strokeWidth: 2 }
    });
  });
});

describe('FlowNodeCache', () => {
  it('returns the same object until the node or its problems change', () => {
    const cache = new FlowNodeCache();
    const node = twoNodes().graph.nodes[0];
    const first = cache.get(node, CATALOGUE, undefined, false);
    expect(cache.get(node, CATALOGUE, undefined, false)).toBe(first);
    expect(first.position).toEqual({ x: 0, y: 0 });
    const selected = cache.get(node, CATALOGUE, undefined, true);
    expect(selected).not.toBe(first);
    expect(selected.selected).toBe(true);
    const flagged = cache.get(node, CATALOGUE, ['bad'], true);
    expect(flagged.data.problems).toEqual(['bad']);
    expect(() => cache.withMeasured('nope', undefined)).toThrow(
      'no cached node nope'
    );
  });
});
