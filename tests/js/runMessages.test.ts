import { nonFiniteReport } from '../../src/model/runController';
import {
  functionFieldHelp,
  PREDICATE_HELP,
  tagProblems
} from '../../src/model/fieldHelp';
import type { IProblem, IRunStatus } from '../../src/protocol';

const FAILED: IRunStatus = {
  state: 'failed',
  phase: 0,
  phases: 1,
  step: 100,
  total_steps: 2000,
  elapsed_s: 1.5,
  eta_s: null,
  losses: [],
  total_loss: null,
  error: {
    type: 'NonFinite',
    message: 'training stopped: the loss of fit was not finite at step 7',
    traceback: ''
  }
};

describe('nonFiniteReport', () => {
  it('names the step and the constraints', () => {
    const report = nonFiniteReport({
      ...FAILED,
      nonfinite: { step: 7, constraints: ['fit', 'bc'], where: 'loss' }
    });
    expect(report?.step).toBe(7);
    expect(report?.short).toBe('not finite at step 7 (fit, bc)');
    expect(report?.message).toBe(
      'Training diverged at step 7: the loss of constraint fit, bc was NaN or ' +
        'infinite. The run stopped there and kept the parameters from before ' +
        'that step. Try a smaller learning rate, gradient clipping or rescaled losses.'
    );
  });

  it('says when the update, not a loss, went non-finite', () => {
    const report = nonFiniteReport({
      ...FAILED,
      nonfinite: { step: 12, constraints: [], where: 'parameters' }
    });
    expect(report?.short).toBe('not finite at step 12');
    expect(report?.message).toContain(
      'at step 12: its update made the parameters NaN or infinite.'
    );
  });

  it('falls back to the error of type NonFinite', () => {
    const report = nonFiniteReport(FAILED);
    expect(report).toEqual({
      step: null,
      short: 'not finite (NaN or Inf)',
      message:
        'Training diverged: training stopped: the loss of fit was not finite at step 7'
    });
  });

  it('is null for other runs', () => {
    expect(nonFiniteReport(null)).toBeNull();
    expect(
      nonFiniteReport({
        ...FAILED,
        error: { type: 'ValueError', message: 'x', traceback: '' }
      })
    ).toBeNull();
    expect(
      nonFiniteReport({ ...FAILED, state: 'finished', error: null })
    ).toBeNull();
  });
});

describe('field help', () => {
  it('explains a grammar expression of the inputs', () => {
    expect(functionFieldHelp('expression', { inputs: 2 })).toEqual({
      label: 'expression of a, b',
      hint:
        'e.g. sin(a) * b + 1: numbers, arithmetic, comparisons and math ' +
        'functions (sin, exp, where, …).'
    });
    expect(functionFieldHelp('expression', {})?.label).toBe('expression of a');
    expect(functionFieldHelp('expression', { inputs: 9 })?.label).toBe(
      'expression of a, b, c, d'
    );
  });

  it('says that code runs only once trusted', () => {
    const help = functionFieldHelp('expression', { inputs: 1, code: true });
    expect(help?.label).toBe('expression of a (Python code)');
    expect(help?.hint).toContain('only once you trust this document');
    expect(functionFieldHelp('code', {})?.hint).toMatch(/^Code runs only once/);
    expect(functionFieldHelp('name', {})).toBeNull();
  });

  it('gives the predicate an example', () => {
    expect(PREDICATE_HELP.label).toBe('predicate of x, y');
    expect(PREDICATE_HELP.hint).toMatch(/^e\.g\. x < 0\.5 and y > 0: /);
  });

  it('finds the problems of one tag', () => {
    const problem = (message: string, node_id: string | null = null) =>
      ({ code: 'syntax', message, node_id, port: null }) as IProblem;
    const problems = [
      problem("tag 'left': not a predicate of x and y (unknown name z)"),
      problem("tag 'leftover': not a predicate of x and y (bad)"),
      problem("tag 'left' names an unknown primitive"),
      problem("tag 'left': a node problem", 'n1')
    ];
    expect(tagProblems(problems, 'left')).toEqual([
      'not a predicate of x and y (unknown name z)'
    ]);
    expect(tagProblems(problems, 'right')).toEqual([]);
  });
});
