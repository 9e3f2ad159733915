import {
  COLUMN_GAP,
  layeredLayout,
  NODE_MARGIN,
  ROW_GAP
} from '../../src/model/autoLayout';

const wire = (source: string, target: string) => ({
  source,
  sourcePort: 'out',
  target,
  targetPort: 'in'
});

describe('layeredLayout', () => {
  it('puts each node one column after its deepest input', () => {
    const graph = {
      nodes: ['a', 'b', 'c', 'd'].map(id => ({ id, type: 't' })),
      edges: [wire('a', 'b'), wire('b', 'c'), wire('a', 'c'), wire('d', 'c')]
    };
    const out = layeredLayout(graph);
    expect(out.get('a')).toEqual([0, 0]);
    expect(out.get('d')).toEqual([0, ROW_GAP]);
    expect(out.get('b')).toEqual([COLUMN_GAP, 0]);
    expect(out.get('c')).toEqual([2 * COLUMN_GAP, 0]);
  });

  it('orders a column by the mean row of the inputs', () => {
    const graph = {
      nodes: ['a', 'b', 'late', 'early'].map(id => ({ id, type: 't' })),
      edges: [wire('b', 'late'), wire('a', 'early')]
    };
    const out = layeredLayout(graph);
    expect(out.get('early')).toEqual([COLUMN_GAP, 0]);
    expect(out.get('late')).toEqual([COLUMN_GAP, ROW_GAP]);
  });

  it('lays out cycles and ignores wires to unknown nodes', () => {
    const graph = {
      nodes: ['a', 'b'].map(id => ({ id, type: 't' })),
      edges: [wire('a', 'b'), wire('b', 'a'), wire('ghost', 'a')]
    };
    const out = layeredLayout(graph);
    expect(out.size).toBe(2);
    expect(new Set([...out.values()].map(p => p.join()))).toHaveProperty(
      'size',
      2
    );
  });

  it('pushes the nodes below a tall node down so that none overlap', () => {
    const graph = {
      nodes: ['tall', 'short', 'last'].map(id => ({ id, type: 't' })),
      edges: []
    };
    const out = layeredLayout(graph, new Map([['tall', 200]]));
    expect(out.get('tall')).toEqual([0, 0]);
    expect(out.get('short')).toEqual([0, 200 + NODE_MARGIN]);
    expect(out.get('last')).toEqual([0, 200 + NODE_MARGIN + ROW_GAP]);
  });
});
