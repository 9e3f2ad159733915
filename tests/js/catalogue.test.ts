import { CATALOGUE } from '../../src/model/catalogue';

describe('catalogue', () => {
  it('knows the node types and categories of the snapshot', () => {
    expect(CATALOGUE.get('mlp')?.category).toBe('Networks');
    expect(CATALOGUE.get('nope')).toBeUndefined();
    expect(CATALOGUE.categories).toEqual(
      expect.arrayContaining(['Inputs', 'Networks', 'Derivatives', 'Losses'])
    );
  });

  it('gives defaults, own params over defaults, and nothing for unknown types', () => {
    expect(CATALOGUE.defaults('loss')).toEqual({ kind: 'mse' });
    expect(CATALOGUE.defaults('nope')).toEqual({});
    const node = { id: 'l', type: 'loss', params: { kind: 'mae' } };
    expect(CATALOGUE.param(node, 'kind')).toBe('mae');
    expect(CATALOGUE.param({ id: 'l', type: 'loss' }, 'kind')).toBe('mse');
  });

  it('expands dynamic input families from their count parameter', () => {
    const names = (params: Record<string, unknown>) =>
      CATALOGUE.inputs({ id: 'n', type: 'laplacian', params }).map(p => p.name);
    expect(names({})).toEqual(['target', 'var1', 'var2']);
    expect(names({ dims: 3 })).toEqual(['target', 'var1', 'var2', 'var3']);
    expect(CATALOGUE.inputs({ id: 'n', type: 'nope' })).toEqual([]);
    expect(
      CATALOGUE.outputs({ id: 'n', type: 'mlp' }).map(p => p.type)
    ).toEqual(['model']);
  });

  it('matches port types as the kernel does', () => {
    expect(CATALOGUE.accepts('field', 'variable')).toBe(true);
    expect(CATALOGUE.accepts('variable', 'field')).toBe(false);
    expect(CATALOGUE.accepts('loss', 'field')).toBe(false);
    expect(CATALOGUE.accepts('unknown', 'field')).toBe(false);
  });
});
