import * as React from 'react';

import type {
  IPhase,
  ISchedule,
  Optimizer,
  ScheduleKind
} from '../document/types';
import {
  addPhase,
  movePhase,
  removePhase,
  SCHEDULE_ARGS,
  scheduleOf,
  setSeed,
  updatePhase
} from '../model/planEdits';
import type { WorkbenchModel } from '../model/workbenchModel';
import { NumberField, SelectField, TextField } from './fields';
import { useSignal } from './useSignal';

const OPTIMIZERS: Optimizer[] = [
  'adam',
  'adamw',
  'sgd',
  'rmsprop',
  'lion',
  'adabelief'
];
const SCHEDULES = ['number', ...Object.keys(SCHEDULE_ARGS)];

/** Props of {@link TrainingPlan}. */
export interface ITrainingPlanProps {
  model: WorkbenchModel;
}

function listText(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : '';
}

function parseList(text: string): number[] | null {
  if (!text.trim()) {
    return null;
  }
  const values = text
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);
  return values.every(Number.isFinite) ? values : null;
}

/** The learning-rate fields of a phase: a number or a schedule with its arguments. */
function RateFields(props: {
  phase: IPhase;
  onChange: (rate: number | ISchedule, coalesce?: string) => void;
  keyPrefix: string;
}): JSX.Element {
  const rate = props.phase.learning_rate ?? 1e-3;
  const kind = typeof rate === 'number' ? 'number' : rate.kind;
  return (
    <div className="jp-JnoLab-rate">
      <SelectField
        label="learning rate"
        title="a fixed number or a schedule"
        value={kind}
        options={SCHEDULES}
        onChange={k =>
          props.onChange(scheduleOf(k as ScheduleKind | 'number', rate))
        }
      />
      {typeof rate === 'number' ? (
        <NumberField
          label="rate"
          value={rate}
          min={0}
          onChange={v =>
            v !== null && props.onChange(v, `${props.keyPrefix}.lr`)
          }
        />
      ) : (
        Object.keys(SCHEDULE_ARGS[rate.kind]).map(arg =>
          Array.isArray(SCHEDULE_ARGS[rate.kind][arg]) ? (
            <TextField
              key={arg}
              label={`${arg} (comma-separated)`}
              value={listText(rate[arg])}
              onChange={text => {
                const values = parseList(text);
                if (values) {
                  props.onChange(
                    { ...rate, [arg]: values },
                    `${props.keyPrefix}.${arg}`
                  );
                }
              }}
            />
          ) : (
            <NumberField
              key={arg}
              label={arg}
              value={
                typeof rate[arg] === 'number' ? (rate[arg] as number) : null
              }
              integer={arg.endsWith('steps') || arg === 'window'}
              onChange={v =>
                v !== null &&
                props.onChange(
                  { ...rate, [arg]: v },
                  `${props.keyPrefix}.${arg}`
                )
              }
            />
          )
        )
      )}
    </div>
  );
}

/** One phase of the plan. */
function PhaseCard(props: {
  model: WorkbenchModel;
  phase: IPhase;
  index: number;
  count: number;
}): JSX.Element {
  const { model, phase, index } = props;
  const key = `phase${index}`;
  const update = (
    fields: Partial<Record<keyof IPhase, unknown>>,
    coalesce?: string
  ): void => model.edit(d => updatePhase(d, index, fields), { coalesce });
  return (
    <fieldset className="jp-JnoLab-phase" data-phase={index}>
      <legend>Phase {index + 1}</legend>
      <div className="jp-JnoLab-phaseTools">
        <button
          type="button"
          className="jp-JnoLab-button"
          aria-label={`Move phase ${index + 1} up`}
          title="Move up"
          disabled={index === 0}
          onClick={() => model.edit(d => movePhase(d, index, -1))}
        >
          ↑
        </button>
        <button
          type="button"
          className="jp-JnoLab-button"
          aria-label={`Move phase ${index + 1} down`}
          title="Move down"
          disabled={index === props.count - 1}
          onClick={() => model.edit(d => movePhase(d, index, 1))}
        >
          ↓
        </button>
        <button
          type="button"
          className="jp-JnoLab-button"
          aria-label={`Remove phase ${index + 1}`}
          title="Remove this phase"
          disabled={props.count === 1}
          onClick={() => model.edit(d => removePhase(d, index))}
        >
          ✕
        </button>
      </div>
      <div className="jp-JnoLab-phaseGrid">
        <TextField
          label="name"
          value={phase.name ?? ''}
          placeholder={`phase ${index + 1}`}
          onChange={v => update({ name: v || undefined }, `${key}.name`)}
        />
        <SelectField
          label="optimizer"
          value={phase.optimizer ?? 'adam'}
          options={OPTIMIZERS}
          onChange={v => update({ optimizer: v })}
        />
        <NumberField
          label="epochs"
          value={phase.epochs}
          integer
          min={1}
          onChange={v => v !== null && update({ epochs: v }, `${key}.epochs`)}
        />
        <NumberField
          label="inner steps"
          title="steps per compiled chunk (must divide epochs)"
          value={phase.inner_steps ?? null}
          integer
          min={1}
          nullable
          onChange={v =>
            update({ inner_steps: v ?? undefined }, `${key}.inner`)
          }
        />
        <NumberField
          label="batch size"
          title="points per step (empty: all)"
          value={phase.batchsize ?? null}
          integer
          min={1}
          nullable
          onChange={v => update({ batchsize: v }, `${key}.batch`)}
        />
        <TextField
          label="weights (one per constraint)"
          title="comma-separated constraint weights; empty: the constraints' own"
          value={listText(phase.weights)}
          placeholder="constraint weights"
          onChange={text => {
            const weights = parseList(text);
            if (weights || !text.trim()) {
              update({ weights }, `${key}.weights`);
            }
          }}
        />
      </div>
      <RateFields
        phase={phase}
        keyPrefix={key}
        onChange={(rate, coalesce) => update({ learning_rate: rate }, coalesce)}
      />
    </fieldset>
  );
}

/** The training plan: seed and phases (optimizer, rate or schedule, epochs, ...). */
export function TrainingPlan(props: ITrainingPlanProps): JSX.Element {
  const { model } = props;
  const doc = useSignal(model.changed, () => model.document);
  const phases = doc.training.phases;
  return (
    <div className="jp-JnoLab-planPanel" aria-label="Training plan">
      <h2>Training plan</h2>
      <div className="jp-JnoLab-planTop">
        <NumberField
          label="seed"
          value={doc.seed ?? 0}
          integer
          min={0}
          onChange={v =>
            v !== null && model.edit(d => setSeed(d, v), { coalesce: 'seed' })
          }
        />
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Add a training phase after the last one"
          onClick={() => model.edit(addPhase)}
        >
          + Add phase
        </button>
      </div>
      {phases.map((phase, i) => (
        <PhaseCard
          key={i}
          model={model}
          phase={phase}
          index={i}
          count={phases.length}
        />
      ))}
    </div>
  );
}
