import { ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { GraphCanvas } from '../components/GraphCanvas';
import { ClassNames } from '../tokens';

/**
 * The Lumino widget hosting one workbench: for now the node-graph canvas.
 */
export class WorkbenchPanel extends ReactWidget {
  constructor() {
    super();
    this.addClass(ClassNames.panel);
  }

  protected render(): JSX.Element {
    return <GraphCanvas nodes={[]} edges={[]} />;
  }
}
