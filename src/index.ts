import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  ISessionContextDialogs,
  WidgetTracker
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { LabIcon } from '@jupyterlab/ui-components';

import { newDocument, serialize } from './document/types';
import { openRendererFactory } from './renderer/openRenderer';
import {
  CommandIDs,
  DocumentNames,
  EXTENSION_ID,
  OPEN_QUERY_PARAM
} from './tokens';
import { WorkbenchFactory } from './widgets/factory';
import type { WorkbenchEditor } from './widgets/WorkbenchEditor';

import jnoLabIconSvg from '../style/icons/jno-lab.svg';

const jnoLabIcon = new LabIcon({
  name: `${EXTENSION_ID}:icon`,
  svgstr: jnoLabIconSvg
});

/** Create an untitled `.jnolab` document in `directory` and open it. */
async function createWorkbench(
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  directory: string
): Promise<WorkbenchEditor | undefined> {
  const model = await docManager.newUntitled({
    path: directory,
    type: 'file',
    ext: DocumentNames.extension
  });
  const title = PathExt.basename(model.path, DocumentNames.extension);
  await app.serviceManager.contents.save(model.path, {
    type: 'file',
    format: 'text',
    content: serialize(newDocument(title))
  });
  return docManager.openOrReveal(model.path, DocumentNames.factory) as
    WorkbenchEditor | undefined;
}

/**
 * The workbench plugin: the `.jnolab` file type and its editor, the "New
 * jNO Lab Workbench" command (palette, launcher, `?jno-lab=new-workbench`),
 * restoration of open editors, and the renderer of open requests.
 */
const workbenchPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:workbench`,
  description: 'The jNO Lab workbench editor for .jnolab documents.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [
    ICommandPalette,
    ILauncher,
    ILayoutRestorer,
    IDefaultFileBrowser,
    IRenderMimeRegistry,
    ISessionContextDialogs
  ],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null,
    rendermime: IRenderMimeRegistry | null,
    sessionDialogs: ISessionContextDialogs | null
  ) => {
    app.docRegistry.addFileType({
      name: DocumentNames.fileType,
      displayName: 'jNO Lab Workbench',
      extensions: [DocumentNames.extension],
      mimeTypes: ['application/json'],
      contentType: 'file',
      fileFormat: 'text',
      icon: jnoLabIcon
    });
    const factory = new WorkbenchFactory({
      name: DocumentNames.factory,
      label: 'jNO Lab Workbench',
      fileTypes: [DocumentNames.fileType],
      defaultFor: [DocumentNames.fileType],
      modelName: 'text',
      preferKernel: true,
      canStartKernel: true,
      autoStartDefault: true,
      shutdownOnClose: false,
      icon: jnoLabIcon,
      sessionDialogs: sessionDialogs ?? undefined,
      services: {
        rendermime,
        contents: app.serviceManager.contents,
        open: path => void docManager.openOrReveal(path)
      }
    });
    app.docRegistry.addWidgetFactory(factory);

    const tracker = new WidgetTracker<WorkbenchEditor>({
      namespace: `${EXTENSION_ID}-workbench`
    });
    factory.widgetCreated.connect((_, widget) => {
      widget.context.pathChanged.connect(() => void tracker.save(widget));
      void tracker.add(widget);
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: 'docmanager:open',
        args: widget => ({
          path: widget.context.path,
          factory: DocumentNames.factory
        }),
        name: widget => widget.context.path
      });
    }

    app.commands.addCommand(CommandIDs.newWorkbench, {
      label: args =>
        args.isLauncher ? 'jNO Lab Workbench' : 'New jNO Lab Workbench',
      caption: 'Create a new jNO Lab workbench document (.jnolab)',
      icon: args => (args.isPalette ? undefined : jnoLabIcon),
      execute: async args => {
        const directory =
          typeof args.cwd === 'string' ? args.cwd : (browser?.model.path ?? '');
        return createWorkbench(app, docManager, directory);
      }
    });
    palette?.addItem({ command: CommandIDs.newWorkbench, category: 'jNO Lab' });

    const current = (): WorkbenchEditor | null => {
      const widget = tracker.currentWidget;
      return widget && widget === app.shell.currentWidget ? widget : null;
    };
    app.commands.addCommand(CommandIDs.exportScript, {
      label: 'Export Workbench to Python Script',
      caption: 'Write the active workbench as a Python script next to it',
      isEnabled: () => current() !== null,
      execute: () => current()?.content.exportScript()
    });
    app.commands.addCommand(CommandIDs.openNotebook, {
      label: 'Open Workbench as Notebook',
      caption:
        'Write the active workbench as a notebook next to it (the script in cells and the live dashboard), and open it',
      isEnabled: () => current() !== null,
      execute: () => current()?.content.openNotebook()
    });
    for (const command of [CommandIDs.exportScript, CommandIDs.openNotebook]) {
      palette?.addItem({ command, category: 'jNO Lab' });
    }
    launcher?.add({
      command: CommandIDs.newWorkbench,
      category: 'Other',
      rank: 0
    });

    rendermime?.addFactory(
      openRendererFactory(async path => {
        const widget = docManager.openOrReveal(path, DocumentNames.factory);
        if (!widget) {
          throw new Error('no such document');
        }
      })
    );

    void app.restored.then(() => {
      const url = new URL(window.location.href);
      if (url.searchParams.get(OPEN_QUERY_PARAM) === 'new-workbench') {
        url.searchParams.delete(OPEN_QUERY_PARAM);
        window.history.replaceState(null, '', url.toString());
        void app.commands.execute(CommandIDs.newWorkbench);
      }
    });
  }
};

export default [workbenchPlugin];
