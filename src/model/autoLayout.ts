/**
 * Layered left-to-right layout of the graph: a node's column is the length of
 * the longest path into it; rows are ordered by the mean row of the inputs
 * (one barycentre sweep), which keeps wires short and mostly straight.
 */
import type { IGraph, Point } from '../document/types';

/** Horizontal distance between columns. */
export const COLUMN_GAP = 240;

/** Vertical distance between rows (the least: taller nodes get more). */
export const ROW_GAP = 120;

/** Free space kept below a node whose height is known. */
export const NODE_MARGIN = 24;

/**
 * New positions for every node of `graph`. With `heights` (the drawn height
 * of nodes, by id), a tall node pushes the ones below it down, so that no
 * two nodes of a column overlap.
 */
export function layeredLayout(
  graph: IGraph,
  heights: ReadonlyMap<string, number> = new Map()
): Map<string, Point> {
  const ids = graph.nodes.map(n => n.id);
  const known = new Set(ids);
  const inputs = new Map<string, string[]>(ids.map(id => [id, []]));
  for (const e of graph.edges) {
    if (known.has(e.source) && known.has(e.target) && e.source !== e.target) {
      inputs.get(e.target)?.push(e.source);
    }
  }
  const column = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (id: string): number => {
    const cached = column.get(id);
    if (cached !== undefined) {
      return cached;
    }
    if (visiting.has(id)) {
      return 0; // a cycle: validation reports it; lay it out anyway
    }
    visiting.add(id);
    const preds = inputs.get(id) ?? [];
    const value = preds.length ? Math.max(...preds.map(depth)) + 1 : 0;
    visiting.delete(id);
    column.set(id, value);
    return value;
  };
  ids.forEach(depth);
  const columns: string[][] = [];
  for (const id of ids) {
    const c = column.get(id) ?? 0;
    (columns[c] ??= []).push(id);
  }
  const row = new Map<string, number>();
  columns.forEach((members, c) => {
    if (c > 0) {
      const key = (id: string): number => {
        const preds = inputs.get(id) ?? [];
        if (!preds.length) {
          return Number.POSITIVE_INFINITY;
        }
        return (
          preds.reduce((sum, p) => sum + (row.get(p) ?? 0), 0) / preds.length
        );
      };
      members.sort((a, b) => key(a) - key(b));
    }
    members.forEach((id, r) => row.set(id, r));
  });
  const out = new Map<string, Point>();
  columns.forEach((members, c) => {
    let y = 0;
    for (const id of members) {
      out.set(id, [c * COLUMN_GAP, y]);
      y += Math.max(ROW_GAP, (heights.get(id) ?? 0) + NODE_MARGIN);
    }
  });
  return out;
}
