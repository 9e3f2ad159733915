/**
 * The renderer of `application/vnd.jno-lab.open+json` display bundles
 * (`jno_lab.workbench.open`): opens the named document in the workbench
 * editor, once per output model, and shows a button to open it again.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { OPEN_MIME } from '../protocol';

/** The bundle of an open request. */
export interface IOpenBundle {
  path: string;
  title?: string;
}

/** Opens a document (server path) in the workbench editor. */
export type OpenDocument = (path: string) => Promise<void>;

/** Outputs whose document was opened already (re-renders do not reopen). */
const opened = new WeakSet<IRenderMime.IMimeModel>();

/** Resolve a bundle path against the notebook's directory. */
export async function resolveBundlePath(
  path: string,
  resolver: IRenderMime.IResolver | null
): Promise<string> {
  if (!resolver || path.startsWith('/')) {
    return path.replace(/^\/+/, '');
  }
  const resolved = await resolver.resolveUrl(path);
  return decodeURI(resolved).replace(/^\/+/, '');
}

/** Renders an open bundle: opens the document, offers a button. */
export class OpenRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(
    private _options: IRenderMime.IRendererOptions,
    private _open: OpenDocument
  ) {
    super();
    this.addClass('jp-JnoLab-openOutput');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const bundle = model.data[OPEN_MIME] as unknown as IOpenBundle;
    const path = await resolveBundlePath(bundle.path, this._options.resolver);
    const title = bundle.title || path;
    this.node.textContent = '';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jp-JnoLab-button jp-mod-accept';
    button.textContent = `Open “${title}” in the jNO Lab workbench`;
    button.title = path;
    const status = document.createElement('span');
    status.className = 'jp-JnoLab-openStatus';
    const open = async (): Promise<void> => {
      try {
        await this._open(path);
        status.textContent = '';
      } catch (error) {
        status.textContent = `Could not open ${path}: ${error}`;
      }
    };
    button.onclick = () => void open();
    this.node.append(button, status);
    if (!opened.has(model)) {
      opened.add(model);
      await open();
    }
  }
}

/** The renderer factory of {@link OPEN_MIME}. */
export function openRendererFactory(
  open: OpenDocument
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [OPEN_MIME],
    defaultRank: 40,
    createRenderer: options => new OpenRenderer(options, open)
  };
}
