/**
 * Pure edits of the training plan.
 */
import type {
  IPhase,
  ISchedule,
  IWorkbenchDocument,
  ScheduleKind
} from '../document/types';

/** Arguments of each schedule kind with their defaults. */
export const SCHEDULE_ARGS: Record<ScheduleKind, Record<string, unknown>> = {
  constant: { lr: 1e-3 },
  exponential: { lr0: 1e-3, decay_rate: 0.9, decay_steps: 1000, lr_end: 0 },
  cosine: { total_steps: 1000, lr0: 1e-3, lr_end: 0 },
  warmup_cosine: { total_steps: 1000, warmup_steps: 100, lr0: 1e-3, lr_end: 0 },
  piecewise_constant: { boundaries: [500], values: [1e-3, 1e-4] },
  dlrs: {
    lr0: 1e-3,
    window: 10,
    decremental_factor: 0.5,
    stagnation_factor: 0.1,
    increment_factor: 0.1,
    min_lr: 1e-10,
    max_lr: 1
  }
};

/** A new phase. */
export function defaultPhase(): IPhase {
  return { optimizer: 'adam', learning_rate: 1e-3, epochs: 1000 };
}

function withPhases(
  doc: IWorkbenchDocument,
  phases: IPhase[]
): IWorkbenchDocument {
  return { ...doc, training: { ...doc.training, phases } };
}

/** Replace fields of phase `index`; `undefined` values remove the field. */
export function updatePhase(
  doc: IWorkbenchDocument,
  index: number,
  fields: Partial<Record<keyof IPhase, unknown>>
): IWorkbenchDocument {
  const phases = doc.training.phases.map((p, i) => {
    if (i !== index) {
      return p;
    }
    const next: Record<string, unknown> = { ...p };
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) {
        delete next[key];
      } else {
        next[key] = value;
      }
    }
    return next as unknown as IPhase;
  });
  return withPhases(doc, phases);
}

/** Append a phase. */
export function addPhase(doc: IWorkbenchDocument): IWorkbenchDocument {
  return withPhases(doc, [...doc.training.phases, defaultPhase()]);
}

/** Remove phase `index`. */
export function removePhase(
  doc: IWorkbenchDocument,
  index: number
): IWorkbenchDocument {
  return withPhases(
    doc,
    doc.training.phases.filter((_, i) => i !== index)
  );
}

/** Swap phase `index` with its neighbour `index + offset`. */
export function movePhase(
  doc: IWorkbenchDocument,
  index: number,
  offset: number
): IWorkbenchDocument {
  const target = index + offset;
  const phases = [...doc.training.phases];
  if (target < 0 || target >= phases.length) {
    return doc;
  }
  [phases[index], phases[target]] = [phases[target], phases[index]];
  return withPhases(doc, phases);
}

/** A schedule of `kind`, keeping the peak rate of the current one. */
export function scheduleOf(
  kind: ScheduleKind | 'number',
  current: number | ISchedule | undefined
): number | ISchedule {
  const peak =
    typeof current === 'number'
      ? current
      : Number(current?.lr0 ?? current?.lr ?? 1e-3);
  if (kind === 'number') {
    return peak;
  }
  const args = { ...SCHEDULE_ARGS[kind] };
  if ('lr0' in args) {
    args.lr0 = peak;
  }
  if ('lr' in args) {
    args.lr = peak;
  }
  return { kind, ...args };
}

/** Set the seed. */
export function setSeed(
  doc: IWorkbenchDocument,
  seed: number
): IWorkbenchDocument {
  return { ...doc, seed };
}
