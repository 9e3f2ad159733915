import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { LabIcon } from '@jupyterlab/ui-components';

import { CommandIDs, EXTENSION_ID, OPEN_QUERY_PARAM } from './tokens';
import { WorkbenchPanel } from './widgets/WorkbenchPanel';

import jnoLabIconSvg from '../style/icons/jno-lab.svg';

const jnoLabIcon = new LabIcon({
  name: `${EXTENSION_ID}:icon`,
  svgstr: jnoLabIconSvg
});

/**
 * The workbench plugin: the "New Workbench" command, its palette and
 * launcher entries, and restoration of open panels on reload.
 */
const workbenchPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:workbench`,
  description: 'Opens jNO Lab workbench panels.',
  autoStart: true,
  optional: [ICommandPalette, ILauncher, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null
  ) => {
    const tracker = new WidgetTracker<MainAreaWidget<WorkbenchPanel>>({
      namespace: EXTENSION_ID
    });
    let counter = 0;

    app.commands.addCommand(CommandIDs.newWorkbench, {
      label: args => (args.isLauncher ? 'Workbench' : 'jNO Lab: New Workbench'),
      caption: 'Open a new jNO Lab workbench',
      icon: args => (args.isPalette ? undefined : jnoLabIcon),
      execute: async () => {
        const widget = new MainAreaWidget({ content: new WorkbenchPanel() });
        counter += 1;
        widget.id = `${EXTENSION_ID}-workbench-${counter}`;
        widget.title.label = `Workbench ${counter}`;
        widget.title.icon = jnoLabIcon;
        widget.title.closable = true;
        await tracker.add(widget);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    palette?.addItem({ command: CommandIDs.newWorkbench, category: 'jNO Lab' });
    launcher?.add({
      command: CommandIDs.newWorkbench,
      category: 'jNO Lab',
      rank: 0
    });
    if (restorer) {
      void restorer.restore(tracker, {
        command: CommandIDs.newWorkbench,
        name: () => 'workbench'
      });
    }

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
