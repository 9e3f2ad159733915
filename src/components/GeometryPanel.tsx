import * as React from 'react';

import type {
  CsgNode,
  CsgOp,
  IGeometry,
  IPrimitive,
  ITag,
  Point
} from '../document/types';
import {
  addTag,
  moveCsgArg,
  removePrimitive,
  removeTag,
  replacePrimitive,
  replaceTag,
  setCsgOp,
  setInterval1d,
  setSampling,
  setTime
} from '../model/geometryEdits';
import { PREDICATE_HELP, tagProblems } from '../model/fieldHelp';
import type { GeometryPreview } from '../model/geometryPreview';
import type { WorkbenchModel } from '../model/workbenchModel';
import { CheckField, NumberField, SelectField, TextField } from './fields';
import { TAG_COLORS } from './GeometryCanvas';
import { useSignal } from './useSignal';

const OPS: CsgOp[] = [
  'union',
  'difference',
  'intersection',
  'symmetric_difference'
];

/** Props of {@link GeometryPanel}. */
export interface IGeometryPanelProps {
  model: WorkbenchModel;
  geometry: IGeometry;
  preview: GeometryPreview;
  selected: string | null;
  onSelect: (id: string | null) => void;
  pickTag: number | null;
  onPickTag: (index: number | null) => void;
}

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

/** Numeric fields of one primitive. */
function PrimitiveFields(props: {
  model: WorkbenchModel;
  primitive: IPrimitive;
}): JSX.Element {
  const { model, primitive: p } = props;
  const set = (fields: Partial<IPrimitive>, key: string): void =>
    model.edit(d => replacePrimitive(d, p.id, { ...p, ...fields }), {
      coalesce: `${p.id}.${key}`
    });
  const pair = (
    name: 'x' | 'y' | 'center' | 'radii',
    labels: [string, string],
    positive = false
  ): JSX.Element[] => {
    const value = p[name] as Point;
    return [0, 1].map(i => (
      <NumberField
        key={`${name}${i}`}
        label={labels[i]}
        value={value[i]}
        min={positive ? 1e-12 : undefined}
        onChange={v => {
          if (v !== null) {
            const next: Point = [...value];
            next[i] = v;
            set({ [name]: next }, `${name}${i}`);
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
        {p.type === 'rectangle' && [
          ...pair('x', ['x min', 'x max']),
          ...pair('y', ['y min', 'y max'])
        ]}
        {p.type === 'circle' && [
          ...pair('center', ['centre x', 'centre y']),
          <NumberField
            key="r"
            label="radius"
            value={p.radius ?? null}
            min={1e-12}
            onChange={v => v !== null && set({ radius: v }, 'radius')}
          />
        ]}
        {p.type === 'ellipse' && [
          ...pair('center', ['centre x', 'centre y']),
          ...pair('radii', ['radius x', 'radius y'], true),
          <NumberField
            key="angle"
            label="angle (°)"
            value={p.angle ?? 0}
            onChange={v => v !== null && set({ angle: v }, 'angle')}
          />
        ]}
      </div>
      {p.type === 'polygon' && (
        <TextField
          label="vertices (x y; x y; …)"
          value={pointsText(p.points ?? [])}
          onChange={text => {
            const points = parsePoints(text);
            if (points) {
              set({ points }, 'points');
            }
          }}
        />
      )}
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

/** One node of the CSG tree, with its arguments. */
function CsgTreeNode(props: {
  model: WorkbenchModel;
  node: CsgNode;
  path: number[];
  selected: string | null;
  onSelect: (id: string) => void;
  /** Move this node among its siblings (absent for the root). */
  onMove?: (offset: number) => void;
}): JSX.Element {
  const { model, node, path } = props;
  const moves = props.onMove && (
    <span className="jp-JnoLab-csgMoves">
      <button
        type="button"
        className="jp-JnoLab-button"
        aria-label="Move earlier"
        title="Move earlier"
        onClick={() => props.onMove?.(-1)}
      >
        ↑
      </button>
      <button
        type="button"
        className="jp-JnoLab-button"
        aria-label="Move later"
        title="Move later"
        onClick={() => props.onMove?.(1)}
      >
        ↓
      </button>
    </span>
  );
  if (typeof node === 'string') {
    return (
      <li className="jp-JnoLab-csgLeaf">
        <button
          type="button"
          className={`jp-JnoLab-csgName${props.selected === node ? ' jp-mod-selected' : ''}`}
          onClick={() => props.onSelect(node)}
          title="Select this shape"
        >
          {node}
        </button>
        {moves}
      </li>
    );
  }
  return (
    <li className="jp-JnoLab-csgOp">
      <select
        className="jp-mod-styled"
        aria-label={`operation ${path.join('.') || 'root'}`}
        value={node.op}
        onChange={e =>
          model.edit(d => setCsgOp(d, path, e.target.value as CsgOp))
        }
      >
        {OPS.map(op => (
          <option key={op} value={op}>
            {op}
          </option>
        ))}
      </select>
      {moves}
      <ul>
        {node.args.map((arg, i) => (
          <CsgTreeNode
            key={i}
            model={model}
            node={arg}
            path={[...path, i]}
            selected={props.selected}
            onSelect={props.onSelect}
            onMove={offset => model.edit(d => moveCsgArg(d, path, i, offset))}
          />
        ))}
      </ul>
    </li>
  );
}

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
function TagRow(props: {
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

/**
 * The geometry side panel: the selected shape's numbers, the CSG tree,
 * tags, time axis, sampling and the kernel preview's status.
 */
export function GeometryPanel(props: IGeometryPanelProps): JSX.Element {
  const { model, geometry, preview } = props;
  useSignal(preview.changed, () => preview.preview);
  const selected = geometry.primitives.find(p => p.id === props.selected);
  const interval = geometry.primitives.find(p => p.type === 'interval');
  const time = geometry.time ?? null;
  const sampling = geometry.sampling ?? {};
  return (
    <aside className="jp-JnoLab-geometryPanel" aria-label="Geometry properties">
      <div
        className="jp-JnoLab-previewStatus"
        data-state={
          preview.error ? 'error' : preview.loading ? 'loading' : 'ready'
        }
      >
        {preview.error
          ? `Preview failed: ${preview.error}`
          : preview.loading
            ? 'Computing the domain…'
            : preview.preview
              ? `Domain: ${[...preview.preview.points.entries()].map(([t, p]) => `${t} ${p.length / (preview.preview!.columns.get(t) ?? 1)}`).join(', ')} points`
              : 'No preview yet'}
      </div>
      {geometry.dimension === 1 && interval?.x && (
        <section>
          <h3>Interval</h3>
          <div className="jp-JnoLab-fieldGrid">
            <NumberField
              label="x min"
              value={interval.x[0]}
              onChange={v =>
                v !== null &&
                model.edit(
                  d =>
                    setInterval1d(
                      d,
                      [v, interval.x![1]],
                      geometry.mesh_size ?? null
                    ),
                  { coalesce: 'x0' }
                )
              }
            />
            <NumberField
              label="x max"
              value={interval.x[1]}
              onChange={v =>
                v !== null &&
                model.edit(
                  d =>
                    setInterval1d(
                      d,
                      [interval.x![0], v],
                      geometry.mesh_size ?? null
                    ),
                  { coalesce: 'x1' }
                )
              }
            />
            <NumberField
              label="mesh size"
              value={geometry.mesh_size ?? null}
              min={1e-12}
              nullable
              onChange={v =>
                model.edit(d => setInterval1d(d, interval.x!, v), {
                  coalesce: 'mesh'
                })
              }
            />
          </div>
        </section>
      )}
      {selected && selected.type !== 'interval' && (
        <PrimitiveFields model={model} primitive={selected} />
      )}
      {geometry.dimension === 2 && (
        <section>
          <h3>CSG tree</h3>
          <ul className="jp-JnoLab-csgTree">
            <CsgTreeNode
              model={model}
              node={geometry.csg}
              path={[]}
              selected={props.selected}
              onSelect={props.onSelect}
            />
          </ul>
        </section>
      )}
      <section>
        <h3>Tags</h3>
        {(geometry.tags ?? []).map((tag, i) => (
          <TagRow
            key={i}
            model={model}
            geometry={geometry}
            tag={tag}
            index={i}
            picking={props.pickTag === i}
            onPick={on => props.onPickTag(on ? i : null)}
          />
        ))}
        {geometry.dimension === 2 && (
          <button
            type="button"
            className="jp-JnoLab-button"
            title="Add a boundary tag, then click edges of the domain's outline to add or remove them"
            onClick={() => {
              let index = 0;
              model.edit(d => {
                const [next, i] = addTag(d, {}, 'edge');
                index = i;
                return next;
              });
              props.onPickTag(index);
            }}
          >
            + Boundary tag (pick edges)
          </button>
        )}
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Add a tag of the points where an expression of x and y is true (e.g. x < 0.5 and y > 0)"
          onClick={() =>
            model.edit(d => addTag(d, { predicate: 'x < 0.5' }, 'region')[0])
          }
        >
          + Tag by predicate
        </button>
      </section>
      <section>
        <h3>Sampling</h3>
        <div className="jp-JnoLab-fieldGrid">
          {['interior', 'boundary'].map(tag => (
            <NumberField
              key={tag}
              label={`${tag} points`}
              value={sampling[tag] ?? null}
              integer
              min={1}
              nullable
              onChange={v =>
                model.edit(d => setSampling(d, tag, v), {
                  coalesce: `sampling.${tag}`
                })
              }
            />
          ))}
        </div>
      </section>
      <section>
        <h3>Time axis</h3>
        <CheckField
          label="time-dependent problem"
          value={time !== null}
          onChange={on =>
            model.edit(d => setTime(d, on ? { t0: 0, t1: 1, steps: 11 } : null))
          }
        />
        {time && (
          <div className="jp-JnoLab-fieldGrid">
            <NumberField
              label="t0"
              value={time.t0}
              onChange={v =>
                v !== null &&
                model.edit(d => setTime(d, { ...time, t0: v }), {
                  coalesce: 't0'
                })
              }
            />
            <NumberField
              label="t1"
              value={time.t1}
              onChange={v =>
                v !== null &&
                model.edit(d => setTime(d, { ...time, t1: v }), {
                  coalesce: 't1'
                })
              }
            />
            <NumberField
              label="steps"
              value={time.steps}
              integer
              min={1}
              onChange={v =>
                v !== null &&
                model.edit(d => setTime(d, { ...time, steps: v }), {
                  coalesce: 'steps'
                })
              }
            />
          </div>
        )}
      </section>
    </aside>
  );
}
