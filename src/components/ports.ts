/** Colours of port types (theme variables, so light and dark both work). */
export const PORT_COLORS: Record<string, string> = {
  field: 'var(--jp-brand-color1)',
  variable: 'var(--jp-success-color1)',
  model: 'var(--jp-warn-color1)',
  loss: 'var(--jp-error-color1)',
  tracker: 'var(--jp-info-color0, var(--jp-brand-color0))',
  domain: 'var(--jp-layout-color4)'
};

/** The colour of a port type. */
export function portColor(type: string): string {
  return PORT_COLORS[type] ?? 'var(--jp-ui-font-color2)';
}

/** MIME type of palette drags. */
export const NODE_DRAG_MIME = 'application/x-jno-lab-node';
