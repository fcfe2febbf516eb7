/**
 * Which rows of a long list to draw (virtual scrolling): only those in the scroll box's viewport,
 * plus a few above and below so that keyboard focus and fast scrolling never reach an undrawn
 * row. Rows have one fixed height, so this is arithmetic, not measurement.
 */
export interface RowWindow {
  /** First row drawn. */
  start: number;
  /** One past the last row drawn. */
  end: number;
  /** Height of the undrawn rows above and below, in pixels. */
  before: number;
  after: number;
}

export interface WindowInput {
  scrollTop: number;
  /** Height of the visible part of the rows, in pixels. */
  viewport: number;
  rowHeight: number;
  count: number;
  /** Rows drawn beyond each edge of the viewport. */
  overscan: number;
}

export function rowWindow({
  scrollTop,
  viewport,
  rowHeight,
  count,
  overscan,
}: WindowInput): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, before: 0, after: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.min(count - 1, Math.floor(top / rowHeight));
  const visible = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, before: start * rowHeight, after: (count - end) * rowHeight };
}
