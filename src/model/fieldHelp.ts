/**
 * Labels and help of the fields whose text is an expression: a custom
 * function's expression (grammar, or Python code when marked as code) and a
 * tag's predicate (grammar). The kernel parses and checks them; the editor
 * only explains what they may hold and shows the kernel's problems on them.
 */
import type { IProblem } from '../protocol';

/** The names of a custom function's inputs, in port order. */
export const ARGUMENT_NAMES = ['a', 'b', 'c', 'd'];

/** What a field shows besides its value. */
export interface IFieldHelp {
  label: string;
  /** A line under the field. */
  hint: string;
}

/** The grammar's math, as the hints name it. */
const MATH =
  'numbers, arithmetic, comparisons and math functions (sin, exp, where, …)';

/**
 * The label and hint of a custom function's parameter `name` (null for
 * parameters without special help), given the node's parameters.
 */
export function functionFieldHelp(
  name: string,
  params: { inputs?: unknown; code?: unknown }
): IFieldHelp | null {
  const count = Math.min(
    Math.max(Number(params.inputs) || 1, 1),
    ARGUMENT_NAMES.length
  );
  const args = ARGUMENT_NAMES.slice(0, count).join(', ');
  if (name === 'expression') {
    if (params.code === true) {
      return {
        label: `expression of ${args} (Python code)`,
        hint: `One Python expression of ${args}. It runs only once you trust this document.`
      };
    }
    const example = count > 1 ? 'sin(a) * b + 1' : 'sin(a) + 1';
    return {
      label: `expression of ${args}`,
      hint: `e.g. ${example}: ${MATH}.`
    };
  }
  if (name === 'code') {
    return {
      label: 'code (Python beyond the grammar)',
      hint: 'Code runs only once you trust this document: the editor asks you to review it before it runs.'
    };
  }
  return null;
}

/** The label and hint of a tag's predicate. */
export const PREDICATE_HELP: IFieldHelp = {
  label: 'predicate of x, y',
  hint: `e.g. x < 0.5 and y > 0: ${MATH}, joined by and, or, not.`
};

/**
 * The messages of the problems about the tag named `tag` (the kernel reports
 * them for the document, starting "tag 'name': ").
 */
export function tagProblems(
  problems: readonly IProblem[],
  tag: string
): string[] {
  const prefixes = [`tag '${tag}': `, `tag "${tag}": `];
  const out: string[] = [];
  for (const p of problems) {
    const prefix = prefixes.find(x => p.message.startsWith(x));
    if (!p.node_id && prefix) {
      out.push(p.message.slice(prefix.length));
    }
  }
  return out;
}
