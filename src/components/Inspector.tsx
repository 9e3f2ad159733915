import * as React from 'react';

import type { IGraphNode } from '../document/types';
import type { Catalogue, IParamSchema } from '../model/catalogue';
import { functionFieldHelp, type IFieldHelp } from '../model/fieldHelp';
import { setLabel, setParam } from '../model/graphEdits';
import type { WorkbenchModel } from '../model/workbenchModel';
import { CheckField, NumberField, SelectField, TextField } from './fields';
import { useSignal } from './useSignal';

/** Props of {@link Inspector}. */
export interface IInspectorProps {
  model: WorkbenchModel;
  catalogue: Catalogue;
}

function types(schema: IParamSchema): string[] {
  if (Array.isArray(schema.type)) {
    return schema.type;
  }
  return schema.type ? [schema.type] : [];
}

/** One parameter's field, chosen from its JSON Schema. */
function ParamField(props: {
  name: string;
  schema: IParamSchema;
  value: unknown;
  multiline: boolean;
  /** Label and hint replacing the parameter's name. */
  help: IFieldHelp | null;
  /** The kernel's problems of this parameter. */
  errors: string[];
  onChange: (value: unknown) => void;
}): JSX.Element {
  const { schema, value, onChange, help, errors } = props;
  const name = help?.label ?? props.name;
  const kinds = types(schema);
  const nullable = kinds.includes('null');
  const title = schema.description ?? props.name;
  if (schema.enum) {
    const options = schema.enum.map(String);
    return (
      <SelectField
        label={name}
        title={title}
        value={String(value ?? schema.default ?? options[0])}
        options={options}
        onChange={v => onChange(schema.enum?.find(e => String(e) === v) ?? v)}
      />
    );
  }
  if (kinds.includes('boolean')) {
    return (
      <CheckField
        label={name}
        title={title}
        value={!!value}
        hint={help?.hint}
        onChange={onChange}
      />
    );
  }
  if (kinds.includes('integer') || kinds.includes('number')) {
    return (
      <NumberField
        label={name}
        title={title}
        value={typeof value === 'number' ? value : null}
        integer={kinds.includes('integer') && !kinds.includes('number')}
        min={schema.minimum ?? schema.exclusiveMinimum}
        max={schema.maximum}
        nullable={nullable}
        onChange={onChange}
      />
    );
  }
  if (kinds.includes('string')) {
    return (
      <TextField
        label={name}
        title={title}
        value={typeof value === 'string' ? value : ''}
        multiline={props.multiline}
        hint={help?.hint}
        errors={errors}
        onChange={onChange}
      />
    );
  }
  return (
    <TextField
      label={`${name} (JSON)`}
      title={title}
      value={JSON.stringify(value ?? null)}
      onChange={text => {
        try {
          onChange(JSON.parse(text));
        } catch {
          // keep the last valid value until the JSON parses
        }
      }}
    />
  );
}

/** The inspector of the selected node: label and parameters from its schema. */
export function Inspector(props: IInspectorProps): JSX.Element {
  const { model, catalogue } = props;
  const doc = useSignal(model.changed, () => model.document);
  const selection = useSignal(model.selectionChanged, () => model.selection);
  const problems = useSignal(model.problemsChanged, () => model.problems);
  const ids = [...selection];
  const node: IGraphNode | undefined =
    ids.length === 1 ? doc.graph.nodes.find(n => n.id === ids[0]) : undefined;
  if (!node) {
    return (
      <aside className="jp-JnoLab-inspector" aria-label="Inspector">
        <h2>Inspector</h2>
        <p className="jp-JnoLab-empty">
          {ids.length > 1
            ? `${ids.length} nodes selected.`
            : 'Select a node to edit its parameters.'}
        </p>
      </aside>
    );
  }
  const spec = catalogue.get(node.type);
  const params = spec?.params.properties ?? {};
  const ownProblems = problems.filter(p => p.node_id === node.id);
  const fieldErrors = (name: string): string[] =>
    ownProblems.filter(p => p.port === name).map(p => p.message);
  const nodeProblems = ownProblems.filter(p => !p.port || !(p.port in params));
  const current = {
    inputs: catalogue.param(node, 'inputs'),
    code: catalogue.param(node, 'code')
  };
  return (
    <aside className="jp-JnoLab-inspector" aria-label="Inspector">
      <h2>{spec?.title ?? node.type}</h2>
      <div className="jp-JnoLab-nodeIdLine">
        id <code>{node.id}</code>
      </div>
      {spec?.doc && <p className="jp-JnoLab-doc">{spec.doc}</p>}
      <TextField
        label="label"
        title="display label of the node"
        value={node.label ?? ''}
        placeholder={spec?.title}
        onChange={v =>
          model.edit(d => setLabel(d, node.id, v), {
            coalesce: `${node.id}.label`
          })
        }
      />
      {spec &&
        Object.entries(spec.params.properties).map(([name, schema]) => (
          <ParamField
            key={`${node.id}.${name}`}
            name={name}
            schema={schema}
            value={catalogue.param(node, name)}
            multiline={spec.code && name !== 'name'}
            help={spec.code ? functionFieldHelp(name, current) : null}
            errors={fieldErrors(name)}
            onChange={value =>
              model.edit(d => setParam(d, catalogue, node.id, name, value), {
                coalesce: `${node.id}.${name}`
              })
            }
          />
        ))}
      {nodeProblems.length > 0 && (
        <ul className="jp-JnoLab-inspectorProblems">
          {nodeProblems.map((p, i) => (
            <li key={i}>
              {p.port && <code>{p.port}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
