import * as React from 'react';

import type { IGeometry, ITag } from '../document/types';
import { PREDICATE_HELP, tagProblems } from '../model/fieldHelp';
import { removeTag, replaceTag, setSampling } from '../model/geometryEdits';
import type { WorkbenchModel } from '../model/workbenchModel';
import { NumberField, SelectField, TextField } from './fields';
import { TAG_COLORS } from './GeometryLayers';
import { useSignal } from './useSignal';

type TagKind = 'edges' | 'predicate' | 'primitive';

function tagKind(tag: ITag): TagKind {
  if (tag.predicate !== undefined) {
    return 'predicate';
  }
  if (tag.primitive !== undefined) {
    return 'primitive';
  }
  return 'edges';
}

/** One boundary/region tag. */
export function TagRow(props: {
  model: WorkbenchModel;
  geometry: IGeometry;
  tag: ITag;
  index: number;
  picking: boolean;
  onPick: (on: boolean) => void;
}): JSX.Element {
  const { model, tag, index } = props;
  const kind = tagKind(tag);
  const problems = useSignal(model.problemsChanged, () => model.problems);
  const errors = tagProblems(problems, tag.name);
  const sampling = props.geometry.sampling ?? {};
  const color = TAG_COLORS[(index + 2) % TAG_COLORS.length];
  return (
    <div className="jp-JnoLab-tag" data-tag={tag.name}>
      <span className="jp-JnoLab-swatch" style={{ background: color }} />
      <div className="jp-JnoLab-fieldGrid">
        <TextField
          label="name"
          value={tag.name}
          onChange={name =>
            /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) &&
            model.edit(d => replaceTag(d, index, { ...tag, name }), {
              coalesce: `tag${index}.name`
            })
          }
        />
        <SelectField
          label="selects"
          value={kind}
          options={['edges', 'predicate', 'primitive']}
          onChange={k => {
            const next: ITag = { name: tag.name };
            if (k === 'predicate') {
              next.predicate = 'x < 0.5';
            } else if (k === 'primitive') {
              next.primitive = props.geometry.primitives[0]?.id ?? '';
            }
            model.edit(d => replaceTag(d, index, next));
          }}
        />
        <NumberField
          label="points"
          title="sample count of this tag (empty: default)"
          value={sampling[tag.name] ?? null}
          integer
          min={1}
          nullable
          onChange={v =>
            model.edit(d => setSampling(d, tag.name, v), {
              coalesce: `tag${index}.n`
            })
          }
        />
      </div>
      {kind === 'predicate' && (
        <TextField
          label={PREDICATE_HELP.label}
          title="the points of the domain where this expression of x and y is true"
          hint={PREDICATE_HELP.hint}
          errors={errors}
          code
          value={tag.predicate ?? ''}
          onChange={predicate =>
            model.edit(
              d => replaceTag(d, index, { name: tag.name, predicate }),
              {
                coalesce: `tag${index}.predicate`
              }
            )
          }
        />
      )}
      {kind === 'primitive' && (
        <SelectField
          label="shape"
          value={tag.primitive ?? ''}
          options={props.geometry.primitives.map(p => p.id)}
          onChange={primitive =>
            model.edit(d => replaceTag(d, index, { name: tag.name, primitive }))
          }
        />
      )}
      {kind === 'edges' && (
        <div className="jp-JnoLab-tagEdges">
          <button
            type="button"
            className={`jp-JnoLab-button${props.picking ? ' jp-mod-active' : ''}`}
            aria-pressed={props.picking}
            title="Click boundary edges on the canvas to add or remove them"
            onClick={() => props.onPick(!props.picking)}
          >
            {props.picking ? 'Done picking edges' : 'Pick edges'}
          </button>
          <span>
            {tag.edges?.length ?? 0} edge
            {(tag.edges?.length ?? 0) === 1 ? '' : 's'}
          </span>
        </div>
      )}
      <button
        type="button"
        className="jp-JnoLab-button"
        aria-label={`Remove tag ${tag.name}`}
        title="Remove this tag"
        onClick={() => {
          props.onPick(false);
          model.edit(d => removeTag(d, index));
        }}
      >
        ✕
      </button>
    </div>
  );
}
