/**
 * The node catalogue (a snapshot of `jno_lab.workbench.catalogue`): node
 * types, their ports (dynamic ones expanded) and port compatibility.
 */
import catalogueJson from '../catalogue.json';
import type { IGraphNode } from '../document/types';

/** A JSON Schema of one parameter (the subset the inspector understands). */
export interface IParamSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** The parameters' JSON Schema of a node type. */
export interface IParamsSchema {
  properties: Record<string, IParamSchema>;
  required?: string[];
}

/** A port of a node type; a name ending in `*` is a dynamic port family. */
export interface IPortSpec {
  name: string;
  type: string;
  doc: string;
  required: boolean;
}

/** One node type of the catalogue. */
export interface INodeType {
  type: string;
  title: string;
  category: string;
  doc: string;
  code: boolean;
  role: string;
  inputs: IPortSpec[];
  outputs: IPortSpec[];
  params: IParamsSchema;
  /** The parameter giving the number of dynamic inputs, if any. */
  dynamicInputs: string | null;
}

/** The catalogue file. */
export interface ICatalogue {
  version: number;
  portTypes: string[];
  /** Target port type -> source port types it accepts. */
  accepts: Record<string, string[]>;
  nodes: INodeType[];
}

/** Read-only access to a catalogue. */
export class Catalogue {
  constructor(data: ICatalogue) {
    this.data = data;
    for (const node of data.nodes) {
      this._types.set(node.type, node);
    }
  }

  readonly data: ICatalogue;

  /** Every node type, in catalogue order. */
  get nodeTypes(): readonly INodeType[] {
    return this.data.nodes;
  }

  /** Categories in catalogue order. */
  get categories(): string[] {
    return [...new Set(this.data.nodes.map(n => n.category))];
  }

  /** The node type named `type`, or undefined. */
  get(type: string): INodeType | undefined {
    return this._types.get(type);
  }

  /** Default parameters of a node type. */
  defaults(type: string): Record<string, unknown> {
    const spec = this.get(type);
    const out: Record<string, unknown> = {};
    if (!spec) {
      return out;
    }
    for (const [name, schema] of Object.entries(spec.params.properties)) {
      if (schema.default !== undefined) {
        out[name] = schema.default;
      }
    }
    return out;
  }

  /** The value of a parameter of a node (its own or the default). */
  param(node: IGraphNode, name: string): unknown {
    const own = node.params?.[name];
    if (own !== undefined) {
      return own;
    }
    return this.get(node.type)?.params.properties[name]?.default;
  }

  /** The input ports of a node, dynamic families expanded (`in*` -> in1, in2, ...). */
  inputs(node: IGraphNode): IPortSpec[] {
    const spec = this.get(node.type);
    if (!spec) {
      return [];
    }
    const count = spec.dynamicInputs
      ? Number(this.param(node, spec.dynamicInputs)) || 1
      : 1;
    const out: IPortSpec[] = [];
    for (const port of spec.inputs) {
      if (port.name.endsWith('*')) {
        const stem = port.name.slice(0, -1);
        for (let i = 1; i <= count; i++) {
          out.push({ ...port, name: `${stem}${i}` });
        }
      } else {
        out.push(port);
      }
    }
    return out;
  }

  /** The output ports of a node. */
  outputs(node: IGraphNode): IPortSpec[] {
    return this.get(node.type)?.outputs ?? [];
  }

  /** Whether an output of type `source` may feed an input of type `target`. */
  accepts(target: string, source: string): boolean {
    return (this.data.accepts[target] ?? []).includes(source);
  }

  private _types = new Map<string, INodeType>();
}

/** The catalogue shipped with the extension. */
export const CATALOGUE = new Catalogue(catalogueJson as unknown as ICatalogue);
