import type { ISignal } from '@lumino/signaling';
import * as React from 'react';

/**
 * Re-render when `signal` fires; returns `read()` evaluated at render time.
 */
export function useSignal<S, T>(signal: ISignal<S, unknown>, read: () => T): T {
  const [, bump] = React.useReducer((n: number) => n + 1, 0);
  React.useEffect(() => {
    const slot = (): void => bump();
    signal.connect(slot);
    return () => {
      signal.disconnect(slot);
    };
  }, [signal]);
  return read();
}
