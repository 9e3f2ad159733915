/**
 * Command ids, class names and other constants shared across the extension.
 */

/** The npm package name, also the id prefix of every plugin. */
export const EXTENSION_ID = 'jno-lab';

/** Command ids contributed by the extension. */
export namespace CommandIDs {
  /** Create a new workbench document (untitled .jnolab) and open it. */
  export const newWorkbench = 'jno-lab:new-workbench';
  /** Export the active workbench to a Python script next to it. */
  export const exportScript = 'jno-lab:export-script';
  /** Write the active workbench as a notebook next to it and open it. */
  export const openNotebook = 'jno-lab:open-notebook';
}

/**
 * URL query parameter that opens a workbench once the application is restored,
 * e.g. `/lab?jno-lab=new-workbench`. The demo command of the README uses it.
 */
export const OPEN_QUERY_PARAM = 'jno-lab';

/** The document registry names of the workbench file type and editor. */
export namespace DocumentNames {
  /** The file type of `*.jnolab` documents. */
  export const fileType = 'jnolab';
  /** The file extension. */
  export const extension = '.jnolab';
  /** The widget factory of the workbench editor. */
  export const factory = 'jNO Lab Workbench';
}

/** CSS class names (all prefixed `jp-JnoLab-`). */
export namespace ClassNames {
  export const editor = 'jp-JnoLab-editor';
  export const panel = 'jp-JnoLab-panel';
  export const canvas = 'jp-JnoLab-canvas';
}
