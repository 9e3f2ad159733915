import {
  type ISessionContext,
  SessionContextDialogs,
  Toolbar
} from '@jupyterlab/apputils';
import {
  ABCWidgetFactory,
  type DocumentRegistry
} from '@jupyterlab/docregistry';
import { type LabIcon, Toolbar as UIToolbar } from '@jupyterlab/ui-components';

import { type IWorkbenchServices, WorkbenchContent } from './WorkbenchContent';
import { WorkbenchEditor } from './WorkbenchEditor';

/** Options of {@link WorkbenchFactory}. */
export interface IWorkbenchFactoryOptions extends DocumentRegistry.IWidgetFactoryOptions<WorkbenchEditor> {
  /** The icon of editor tabs. */
  icon: LabIcon;
  /** Dialogs of the kernel picker. */
  sessionDialogs?: ISessionContext.IDialogs;
  /** What editors use of the application. */
  services: IWorkbenchServices;
}

/** Creates workbench editors for `.jnolab` documents (text model). */
export class WorkbenchFactory extends ABCWidgetFactory<
  WorkbenchEditor,
  DocumentRegistry.ICodeModel
> {
  constructor(options: IWorkbenchFactoryOptions) {
    super(options);
    this._icon = options.icon;
    this._dialogs = options.sessionDialogs ?? new SessionContextDialogs();
    this._services = options.services;
  }

  protected createNewWidget(
    context: DocumentRegistry.IContext<DocumentRegistry.ICodeModel>
  ): WorkbenchEditor {
    const content = new WorkbenchContent(context, this._services);
    const widget = new WorkbenchEditor({ context, content });
    widget.title.icon = this._icon;
    widget.addClass('jp-JnoLab-document');
    const session = context.sessionContext;
    widget.toolbar.addItem('spacer', UIToolbar.createSpacerItem());
    widget.toolbar.addItem(
      'restart',
      Toolbar.createRestartButton(session, this._dialogs)
    );
    widget.toolbar.addItem(
      'kernelName',
      Toolbar.createKernelNameItem(session, this._dialogs)
    );
    widget.toolbar.addItem(
      'kernelStatus',
      Toolbar.createKernelStatusItem(session)
    );
    return widget;
  }

  private _icon: LabIcon;
  private _dialogs: ISessionContext.IDialogs;
  private _services: IWorkbenchServices;
}
