/**
 * Command ids, class names and other constants shared across the extension.
 */

/** The npm package name, also the id prefix of every plugin. */
export const EXTENSION_ID = 'jno-lab';

/** Command ids contributed by the extension. */
export namespace CommandIDs {
  /** Open a new, empty workbench panel in the main area. */
  export const newWorkbench = 'jno-lab:new-workbench';
}

/**
 * URL query parameter that opens a workbench once the application is restored,
 * e.g. `/lab?jno-lab=new-workbench`. The demo command of the README uses it.
 */
export const OPEN_QUERY_PARAM = 'jno-lab';

/** CSS class names (all prefixed `jp-JnoLab-`). */
export namespace ClassNames {
  export const panel = 'jp-JnoLab-panel';
  export const canvas = 'jp-JnoLab-canvas';
}
