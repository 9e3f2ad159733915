import type { ISignal } from '@lumino/signaling';
import * as React from 'react';

import type { ConnectionState, WorkbenchClient } from '../kernel/client';
import type { Catalogue } from '../model/catalogue';
import type { Validator } from '../model/validator';
import type { WorkbenchModel } from '../model/workbenchModel';
import { GraphEditor } from './GraphEditor';
import { Inspector } from './Inspector';
import { ProblemsList } from './ProblemsList';
import { useSignal } from './useSignal';

/** A view of the editor, with the element that renders it. */
export interface IEditorViewSpec {
  id: string;
  label: string;
  render: () => React.ReactNode;
}

/** Props of {@link EditorView}. */
export interface IEditorViewProps {
  model: WorkbenchModel;
  catalogue: Catalogue;
  client: WorkbenchClient;
  validator: Validator;
  /** Views besides the graph (geometry, training), in tab order. */
  extraViews?: IEditorViewSpec[];
  /** Rendered in the header, right of undo/redo (the run bar). */
  headerExtra?: React.ReactNode;
  /** Set when the file could not be read as a workbench document. */
  loadError?: string;
  /** Notices shown between the header and the views (untrusted code, ...). */
  notices?: React.ReactNode;
  /** Emits node ids to show: the graph view opens and centres the node. */
  showNode?: ISignal<unknown, string>;
}

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  'no-kernel': 'No kernel',
  connecting: 'Connecting…',
  ready: 'Kernel connected',
  error: 'Kernel unavailable',
  disposed: 'Closed'
};

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'TEXTAREA' ||
      el.tagName === 'SELECT' ||
      el.isContentEditable)
  );
}

/**
 * The whole editor of one document: a header (views, undo/redo, kernel
 * connection, run bar), the active view, and the problems list.
 */
export function EditorView(props: IEditorViewProps): JSX.Element {
  const { model, catalogue, client, validator } = props;
  const [view, setView] = React.useState('graph');
  useSignal(model.changed, () => model.document);
  const connection = useSignal(client.stateChanged, () => client.state);
  const views: IEditorViewSpec[] = [
    {
      id: 'graph',
      label: 'Graph',
      render: () => (
        <GraphEditor
          model={model}
          catalogue={catalogue}
          aside={<Inspector model={model} catalogue={catalogue} />}
        />
      )
    },
    ...(props.extraViews ?? [])
  ];
  const onFocusNode = (id: string): void => {
    setView('graph');
    window.requestAnimationFrame(() => model.focusNode(id));
  };
  const { showNode } = props;
  React.useEffect(() => {
    if (!showNode) {
      return;
    }
    const slot = (_: unknown, id: string): void => {
      setView('graph');
      window.requestAnimationFrame(() => model.focusNode(id));
    };
    showNode.connect(slot);
    return () => {
      showNode.disconnect(slot);
    };
  }, [showNode, model]);
  const onKeyDown = (event: React.KeyboardEvent): void => {
    if (isEditable(event.target)) {
      return;
    }
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === 'z' && !event.shiftKey) {
      model.undo();
    } else if (mod && (key === 'y' || (key === 'z' && event.shiftKey))) {
      model.redo();
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  };
  if (props.loadError) {
    return (
      <div className="jp-JnoLab-loadError" role="alert">
        <h2>This file cannot be opened as a workbench</h2>
        <p>{props.loadError}</p>
        <p>Open it with the text editor (right-click → Open With) to fix it.</p>
      </div>
    );
  }
  return (
    <div className="jp-JnoLab-root" onKeyDown={onKeyDown}>
      <div className="jp-JnoLab-header">
        <div
          className="jp-JnoLab-tabs"
          role="tablist"
          aria-label="Editor views"
        >
          {views.map(v => (
            <button
              key={v.id}
              type="button"
              role="tab"
              aria-selected={view === v.id}
              title={`Show the ${v.label.toLowerCase()} view`}
              className={`jp-JnoLab-tab${view === v.id ? ' jp-mod-active' : ''}`}
              onClick={() => setView(v.id)}
            >
              {v.label}
            </button>
          ))}
        </div>
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Undo (Ctrl+Z)"
          aria-label="Undo"
          disabled={!model.canUndo}
          onClick={() => model.undo()}
        >
          ↶ Undo
        </button>
        <button
          type="button"
          className="jp-JnoLab-button"
          title="Redo (Ctrl+Shift+Z)"
          aria-label="Redo"
          disabled={!model.canRedo}
          onClick={() => model.redo()}
        >
          ↷ Redo
        </button>
        <span
          className={`jp-JnoLab-connection jp-mod-${connection}`}
          data-state={connection}
          title={client.errorMessage || CONNECTION_TEXT[connection]}
        >
          {CONNECTION_TEXT[connection]}
        </span>
        <span className="jp-JnoLab-spacer" />
        {props.headerExtra}
      </div>
      <div className="jp-JnoLab-banners" aria-live="polite">
        {props.notices}
      </div>
      <div className="jp-JnoLab-views">
        {views.map(v => (
          <div
            key={v.id}
            className="jp-JnoLab-view"
            role="tabpanel"
            aria-label={v.label}
            data-view={v.id}
            hidden={view !== v.id}
          >
            {v.render()}
          </div>
        ))}
      </div>
      <ProblemsList
        model={model}
        validator={validator}
        onFocusNode={onFocusNode}
      />
    </div>
  );
}
