import * as React from 'react';

import type { Validator } from '../model/validator';
import type { WorkbenchModel } from '../model/workbenchModel';
import { useSignal } from './useSignal';

/** Props of {@link ProblemsList}. */
export interface IProblemsListProps {
  model: WorkbenchModel;
  validator: Validator;
  /** Show a node (switches to the graph and centres it). */
  onFocusNode: (id: string) => void;
}

const STATE_TEXT = {
  waiting: 'Waiting for the kernel…',
  checking: 'Checking…',
  valid: 'Valid: ready to run',
  invalid: 'Problems',
  unavailable: 'Validation unavailable'
};

/** The problems of the last validation; a click on one shows its node. */
export function ProblemsList(props: IProblemsListProps): JSX.Element {
  const { model, validator } = props;
  const problems = useSignal(model.problemsChanged, () => model.problems);
  const state = useSignal(validator.stateChanged, () => validator.state);
  const shown = state === 'unavailable' ? [] : problems;
  return (
    <div className="jp-JnoLab-problems" aria-label="Problems">
      <div className={`jp-JnoLab-validity jp-mod-${state}`} data-state={state}>
        {STATE_TEXT[state]}
        {state === 'invalid' && ` (${problems.length})`}
        {state === 'unavailable' &&
          validator.message &&
          `: ${validator.message}`}
      </div>
      {shown.length > 0 && (
        <ul className="jp-JnoLab-problemList">
          {shown.map((p, i) => (
            <li key={i}>
              {p.node_id ? (
                <button
                  type="button"
                  className="jp-JnoLab-problemLink"
                  title={`Show node ${p.node_id}`}
                  onClick={() => props.onFocusNode(p.node_id as string)}
                >
                  <code>{p.node_id}</code>
                  {p.port && <code>.{p.port}</code>} {p.message}
                </button>
              ) : (
                <span>
                  <code>{p.code}</code> {p.message}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
