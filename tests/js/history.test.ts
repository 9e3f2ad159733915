import { History } from '../../src/model/history';

describe('History', () => {
  it('undoes and redoes snapshots in order', () => {
    const h = new History('a');
    h.push('b');
    h.push('c');
    expect(h.undo()).toBe('b');
    expect(h.undo()).toBe('a');
    expect(h.undo()).toBeUndefined();
    expect(h.present).toBe('a');
    expect(h.redo()).toBe('b');
    expect(h.redo()).toBe('c');
    expect(h.redo()).toBeUndefined();
    expect(h.canRedo).toBe(false);
  });

  it('drops the redo stack on a new push', () => {
    const h = new History(1);
    h.push(2);
    h.undo();
    h.push(3);
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe(1);
  });

  it('keeps at most `limit` past snapshots', () => {
    const h = new History(0, 3);
    for (let i = 1; i <= 5; i++) {
      h.push(i);
    }
    const restored: number[] = [];
    while (h.canUndo) {
      restored.push(h.undo() as number);
    }
    expect(restored).toEqual([4, 3, 2]);
  });

  it('starts over on reset', () => {
    const h = new History('x');
    h.push('y');
    h.reset('z');
    expect([h.present, h.canUndo, h.canRedo]).toEqual(['z', false, false]);
  });
});
