/**
 * The live training dashboard's front end: an anywidget module (bundled by
 * esbuild into `jno_lab/widgets/static/dashboard.js`, shipped in the wheel).
 */
import type { IModel } from './messages';
import { storeOf } from './store';
import { DashboardView } from './view';

export default {
  initialize({ model }: { model: IModel }): void {
    storeOf(model); // listen from the start: no message is lost before a view renders
  },
  render({ model, el }: { model: IModel; el: HTMLElement }): () => void {
    const view = new DashboardView(model, storeOf(model));
    // Reachable from the page (browser tests, debugging): the element's `jnoDashboard`.
    Object.defineProperty(view.root, 'jnoDashboard', { value: view });
    el.appendChild(view.root);
    void view.start();
    return () => view.dispose();
  }
};
