import { DocumentWidget } from '@jupyterlab/docregistry';

import type { WorkbenchContent } from './WorkbenchContent';

/** The document widget of a `.jnolab` file (toolbar + workbench content). */
export class WorkbenchEditor extends DocumentWidget<WorkbenchContent> {}
