import * as React from 'react';

import type { IPrimitive, Point } from '../document/types';
import {
  fieldValue,
  type IGeometryFieldSpec,
  primitiveSpec
} from '../model/geometryCatalogue';
import { removePrimitive, replacePrimitive } from '../model/geometryEdits';
import type { WorkbenchModel } from '../model/workbenchModel';
import { NumberField, TextField } from './fields';

/** The least value of a field that must be above zero. */
const POSITIVE_MIN = 1e-12;

function pointsText(points: Point[]): string {
  return points.map(p => `${p[0]} ${p[1]}`).join('; ');
}

function parsePoints(text: string): Point[] | null {
  const points = text
    .split(';')
    .map(s => s.trim())
    .filter(Boolean)
    .map(s => s.split(/[\s,]+/).map(Number));
  if (
    points.length < 3 ||
    points.some(p => p.length !== 2 || !p.every(Number.isFinite))
  ) {
    return null;
  }
  return points as Point[];
}

/** Props of {@link PrimitiveFields}. */
export interface IPrimitiveFieldsProps {
  model: WorkbenchModel;
  primitive: IPrimitive;
}

/** The fields of one primitive, as its catalogue entry lists them. */
export function PrimitiveFields(props: IPrimitiveFieldsProps): JSX.Element {
  const { model, primitive: p } = props;
  const fields = primitiveSpec(p.type)?.fields ?? [];
  const set = (name: string, value: unknown, key: string): void =>
    model.edit(d => replacePrimitive(d, p.id, { ...p, [name]: value }), {
      coalesce: `${p.id}.${key}`
    });
  const numbers = (f: IGeometryFieldSpec): JSX.Element[] => {
    const min = f.positive ? POSITIVE_MIN : undefined;
    const current = fieldValue(p, f.name);
    if (f.kind === 'number') {
      const value = current ?? (f.required ? null : f.default);
      return [
        <NumberField
          key={f.name}
          label={f.labels[0]}
          value={value as number | null}
          min={min}
          onChange={v => v !== null && set(f.name, v, f.name)}
        />
      ];
    }
    const pair = (current ?? f.default) as Point;
    return [0, 1].map(i => (
      <NumberField
        key={`${f.name}${i}`}
        label={f.labels[i]}
        value={pair[i]}
        min={min}
        onChange={v => {
          if (v !== null) {
            const next: Point = [...pair];
            next[i] = v;
            set(f.name, next, `${f.name}${i}`);
          }
        }}
      />
    ));
  };
  return (
    <div className="jp-JnoLab-primitiveFields" data-primitive={p.id}>
      <h3>
        {p.type} <code>{p.id}</code>
      </h3>
      <div className="jp-JnoLab-fieldGrid">
        {fields.filter(f => f.kind !== 'points').flatMap(numbers)}
      </div>
      {fields
        .filter(f => f.kind === 'points')
        .map(f => (
          <TextField
            key={f.name}
            label={f.labels[0]}
            value={pointsText((fieldValue(p, f.name) as Point[]) ?? [])}
            onChange={text => {
              const points = parsePoints(text);
              if (points) {
                set(f.name, points, f.name);
              }
            }}
          />
        ))}
      <button
        type="button"
        className="jp-JnoLab-button"
        onClick={() => model.edit(d => removePrimitive(d, p.id))}
        title="Delete this shape (Delete)"
      >
        Delete shape
      </button>
    </div>
  );
}
