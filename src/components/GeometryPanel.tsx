import * as React from 'react';

import type { IGeometry } from '../document/types';
import {
  addTag,
  setInterval1d,
  setSampling,
  setTime
} from '../model/geometryEdits';
import type { GeometryPreview } from '../model/geometryPreview';
import type { WorkbenchModel } from '../model/workbenchModel';
import { CheckField, NumberField } from './fields';
import { CsgTreeNode } from './GeometryCsgTree';
import { PrimitiveFields } from './GeometryPrimitiveFields';
import { TagRow } from './GeometryTagRow';
import { useSignal } from './useSignal';

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
