// Turns the merger's index (a position among the items the local tree lists, so without stand-in
// folders or ignored nodes) into the index the browser wants. The browsers differ for moves:
// Chromium counts the moved item itself (it lands before the item now at `index`), Firefox takes
// the final position. For creates both mean "before the item now at `index`".
import type { BrowserBookmarkNode, BrowserFlavor } from './api.ts';

export interface Placement {
  /** Index to pass to create/move. */
  index: number;
  /** Moves only: the item already sits there. */
  inPlace: boolean;
}

export function placeAt(
  flavor: BrowserFlavor,
  children: readonly BrowserBookmarkNode[],
  listed: (node: BrowserBookmarkNode) => boolean,
  logicalIndex: number,
  movingId: string | null,
): Placement {
  const visible = children.filter(listed);
  const others = visible.filter((c) => c.id !== movingId);
  const before = others[Math.max(0, logicalIndex)];
  const at = visible.findIndex((c) => c.id === movingId);
  const inPlace = movingId !== null && at >= 0 && visible[at + 1]?.id === before?.id;
  if (movingId !== null && flavor === 'firefox') {
    const rest = children.filter((c) => c.id !== movingId);
    return { index: before ? rest.findIndex((c) => c.id === before.id) : rest.length, inPlace };
  }
  return { index: before ? children.findIndex((c) => c.id === before.id) : children.length, inPlace };
}
