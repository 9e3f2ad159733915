import * as React from 'react';

import type { IGeometry } from '../document/types';
import { fitBounds, type IViewport, primitiveBounds } from '../model/viewport';

/** What {@link useCanvasView} gives: the canvas size and its viewport. */
export interface ICanvasView {
  width: number;
  height: number;
  /** The viewport (fitted to the shapes until the user pans or zooms). */
  view: IViewport;
  setView: (view: IViewport) => void;
}

/**
 * The size of the canvas element `host` (followed with a ResizeObserver) and
 * its viewport, fitted to the geometry at first and whenever `fitRequest` is
 * bumped.
 */
export function useCanvasView(
  host: React.RefObject<HTMLElement>,
  geometry: IGeometry,
  fitRequest: number
): ICanvasView {
  const [size, setSize] = React.useState<[number, number]>([0, 0]);
  const [view, setView] = React.useState<IViewport | null>(null);
  const [width, height] = size;

  React.useEffect(() => {
    const el = host.current;
    if (!el) {
      return;
    }
    const observer = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientHeight > 0) {
        setSize([el.clientWidth, el.clientHeight]);
      }
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const bounds = React.useCallback((): number[] | null => {
    const box = primitiveBounds(geometry.primitives);
    if (box && geometry.dimension === 1 && geometry.time) {
      return [box[0], geometry.time.t0, box[2], geometry.time.t1];
    }
    return box;
  }, [geometry]);

  const fit = React.useCallback(() => {
    setView(fitBounds(bounds(), width, height));
  }, [bounds, width, height]);

  React.useEffect(() => {
    if (!view && width > 0 && height > 0) {
      fit();
    }
  }, [view, width, height, fit]);

  React.useEffect(() => {
    if (fitRequest) {
      fit();
    }
  }, [fitRequest]);

  return {
    width,
    height,
    view: view ?? fitBounds(bounds(), width || 1, height || 1),
    setView
  };
}
