import { newDocument } from '../../src/document/types';
import {
  addPhase,
  defaultPhase,
  movePhase,
  removePhase,
  scheduleOf,
  setSeed,
  updatePhase
} from '../../src/model/planEdits';

describe('plan edits', () => {
  it('adds, reorders and removes phases', () => {
    let doc = addPhase(newDocument());
    doc = updatePhase(doc, 1, { optimizer: 'sgd', epochs: 50 });
    expect(doc.training.phases.map(p => p.optimizer)).toEqual(['adam', 'sgd']);
    doc = movePhase(doc, 1, -1);
    expect(doc.training.phases.map(p => p.epochs)).toEqual([50, 1000]);
    expect(movePhase(doc, 0, -1)).toBe(doc);
    doc = removePhase(doc, 0);
    expect(doc.training.phases).toEqual([
      { optimizer: 'adam', learning_rate: 1e-3, epochs: 1000 }
    ]);
  });

  it('removes fields set to undefined', () => {
    const doc = updatePhase(newDocument(), 0, { inner_steps: 10 });
    expect(doc.training.phases[0].inner_steps).toBe(10);
    const cleared = updatePhase(doc, 0, { inner_steps: undefined });
    expect(cleared.training.phases[0]).toEqual(defaultPhase());
  });

  it('keeps the peak rate when switching schedules', () => {
    const cosine = scheduleOf('cosine', 0.01);
    expect(cosine).toEqual({
      kind: 'cosine',
      total_steps: 1000,
      lr0: 0.01,
      lr_end: 0
    });
    expect(scheduleOf('constant', cosine)).toEqual({
      kind: 'constant',
      lr: 0.01
    });
    expect(scheduleOf('number', cosine)).toBe(0.01);
    expect(scheduleOf('piecewise_constant', 0.5)).toEqual({
      kind: 'piecewise_constant',
      boundaries: [500],
      values: [1e-3, 1e-4]
    });
    // the loss-adaptive rate starts at the peak, with jno.fn.adaptive.dlrs's defaults
    expect(scheduleOf('dlrs', cosine)).toEqual({
      kind: 'dlrs',
      lr0: 0.01,
      window: 10,
      decremental_factor: 0.5,
      stagnation_factor: 0.1,
      increment_factor: 0.1,
      min_lr: 1e-10,
      max_lr: 1
    });
  });

  it('sets the seed without touching anything else', () => {
    const doc = newDocument();
    const seeded = setSeed(doc, 7);
    expect(seeded.seed).toBe(7);
    expect({ ...seeded, seed: doc.seed }).toEqual(doc);
  });
});
