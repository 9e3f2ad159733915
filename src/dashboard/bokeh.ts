/**
 * BokehJS, loaded once per page from the kernel's own bokeh package (so the
 * versions of the Python document and of the JavaScript that draws it agree;
 * no CDN is needed).
 */
import type { BokehItem, IModel } from './messages';

/** The parts of BokehJS used here. */
export interface IBokehSource {
  data: Record<string, unknown[]>;
  get_length(): number | null;
  stream(data: Record<string, unknown[]>, rollover?: number): void;
}

export interface IBokehDocument {
  get_model_by_name(name: string): unknown;
}

export interface IBokehViewManager {
  roots: { model: { document: IBokehDocument | null }; remove(): void }[];
}

export interface IBokeh {
  version: string;
  versions?: Map<string, IBokeh>;
  embed: {
    embed_item(
      item: BokehItem,
      target: HTMLElement
    ): Promise<IBokehViewManager>;
  };
}

function loaded(version: string): IBokeh | null {
  const global = (window as unknown as { Bokeh?: IBokeh }).Bokeh;
  if (!global) {
    return null;
  }
  const exact = global.versions?.get(version);
  if (exact) {
    return exact;
  }
  return global.version === version ? global : null;
}

let pending: Promise<IBokeh> | null = null;

/** BokehJS of `version`, asking the kernel for its script when the page lacks it. */
export function ensureBokeh(
  model: IModel,
  version: string,
  script: () => Promise<string>
): Promise<IBokeh> {
  const ready = loaded(version);
  if (ready) {
    return Promise.resolve(ready);
  }
  if (!pending) {
    pending = script().then(text => {
      const element = document.createElement('script');
      element.textContent = text;
      document.head.appendChild(element);
      const bokeh = loaded(version);
      if (!bokeh) {
        pending = null;
        throw new Error(`BokehJS ${version} did not load`);
      }
      return bokeh;
    });
    model.send({ type: 'need-bokeh' });
  }
  return pending;
}
