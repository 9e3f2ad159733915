import * as React from 'react';

import type { Catalogue, INodeType } from '../model/catalogue';
import { NODE_DRAG_MIME } from './ports';

/** Props of {@link Palette}. */
export interface IPaletteProps {
  catalogue: Catalogue;
  /** Add a node of this type at the centre of the view (Enter / double-click). */
  onAdd: (type: string) => void;
}

function matches(spec: INodeType, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) {
    return true;
  }
  return [spec.type, spec.title, spec.category, spec.doc].some(s =>
    s.toLowerCase().includes(q)
  );
}

/**
 * The node palette: node types of the catalogue by category, with a search
 * box. Drag an item onto the canvas, or press Enter / double-click to add it.
 */
export function Palette(props: IPaletteProps): JSX.Element {
  const { catalogue, onAdd } = props;
  const [query, setQuery] = React.useState('');
  const [active, setActive] = React.useState(0);
  const list = React.useRef<HTMLDivElement>(null);
  const groups = React.useMemo(() => {
    return catalogue.categories
      .map(category => ({
        category,
        items: catalogue.nodeTypes.filter(
          n => n.category === category && matches(n, query)
        )
      }))
      .filter(g => g.items.length > 0);
  }, [catalogue, query]);
  const flat = groups.flatMap(g => g.items);
  const current = Math.min(active, Math.max(0, flat.length - 1));
  // One Tab stop for the whole list; the arrow keys move within it.
  const moveFocus = (index: number): void => {
    const next = Math.max(0, Math.min(flat.length - 1, index));
    setActive(next);
    list.current
      ?.querySelectorAll<HTMLElement>('.jp-JnoLab-paletteItem')
      [next]?.focus();
  };
  return (
    <div className="jp-JnoLab-palette" aria-label="Node palette">
      <input
        className="jp-JnoLab-search jp-mod-styled"
        type="search"
        placeholder="Search nodes…"
        aria-label="Search nodes"
        value={query}
        onChange={e => setQuery(e.target.value)}
        onKeyDown={e => {
          if (e.key === 'Enter' && groups.length) {
            onAdd(groups[0].items[0].type);
          } else if (e.key === 'ArrowDown' && flat.length) {
            e.preventDefault();
            moveFocus(0);
          }
        }}
      />
      <div className="jp-JnoLab-paletteList" ref={list}>
        {groups.map(group => (
          <section key={group.category} className="jp-JnoLab-paletteGroup">
            <h3 className="jp-JnoLab-paletteCategory">{group.category}</h3>
            {group.items.map(spec => (
              <div
                key={spec.type}
                className="jp-JnoLab-paletteItem"
                role="button"
                tabIndex={flat.indexOf(spec) === current ? 0 : -1}
                onFocus={() => setActive(flat.indexOf(spec))}
                draggable
                data-node-type={spec.type}
                title={`${spec.doc}\nDrag onto the canvas, or press Enter to add (arrow keys: next item).`}
                onDragStart={e => {
                  e.dataTransfer.setData(NODE_DRAG_MIME, spec.type);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onDoubleClick={() => onAdd(spec.type)}
                onKeyDown={e => {
                  const at = flat.indexOf(spec);
                  const moves: Record<string, number> = {
                    ArrowDown: at + 1,
                    ArrowUp: at - 1,
                    Home: 0,
                    End: flat.length - 1
                  };
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    onAdd(spec.type);
                  } else if (e.key in moves) {
                    e.preventDefault();
                    moveFocus(moves[e.key]);
                  }
                }}
              >
                {spec.title}
              </div>
            ))}
          </section>
        ))}
        {groups.length === 0 && (
          <div className="jp-JnoLab-empty">No node matches “{query}”.</div>
        )}
      </div>
    </div>
  );
}
