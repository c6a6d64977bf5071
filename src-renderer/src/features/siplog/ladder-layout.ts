/**
 * Where the parts of a ladder diagram go (ladderOf in src-shared/model/siplog-ladder.ts gives the
 * participants and arrows): one column per address, one row per message, the time since the first
 * message at the left. Pure geometry, in SVG user units; the component only draws it.
 *
 *     +0.000   192.0.2.10:5060         203.0.113.5:5060
 *                    │ ──── INVITE (SDP) ───▶ │
 *     +0.012         │ ◀──── 100 Trying ───── │
 */
import type { Ladder, LadderArrow } from '../../../../src-shared/model/siplog-ladder.ts';

export const LADDER_GEOMETRY = {
  /** Room at the left for the time column. */
  timeWidth: 72,
  /** Half a column either side of the first and last lifeline. */
  columnWidth: 200,
  headerHeight: 52,
  rowHeight: 34,
  /** Labels longer than this are cut (the full text is the arrow's accessible name and tooltip). */
  labelMax: 30,
  /** Size of the arrow head. */
  head: 7,
} as const;

export interface LadderColumn {
  readonly x: number;
  readonly address: string;
  readonly local: boolean;
}

export interface LadderArrowGeometry {
  readonly index: number;
  readonly arrow: LadderArrow;
  readonly y: number;
  readonly x1: number;
  readonly x2: number;
  /** Arrow head: an SVG path (a filled triangle at x2). */
  readonly head: string;
  readonly labelX: number;
  readonly label: string;
  /** "+1.234 s" from the first message. */
  readonly time: string;
  /** Retransmissions are drawn dimmed. */
  readonly dimmed: boolean;
}

export interface LadderGeometry {
  readonly width: number;
  readonly height: number;
  readonly columns: readonly LadderColumn[];
  readonly arrows: readonly LadderArrowGeometry[];
}

export function shortLabel(label: string, max: number = LADDER_GEOMETRY.labelMax): string {
  const chars = Array.from(label);
  return chars.length <= max ? label : `${chars.slice(0, max - 1).join('')}…`;
}

export function offsetText(ms: number): string {
  return `+${(ms / 1000).toFixed(3)}`;
}

export function ladderGeometry(ladder: Ladder): LadderGeometry {
  const g = LADDER_GEOMETRY;
  const count = Math.max(1, ladder.participants.length);
  const columns = ladder.participants.map((p, i) => ({
    x: g.timeWidth + g.columnWidth * (i + 0.5),
    address: p.address,
    local: p.local,
  }));
  const width = g.timeWidth + g.columnWidth * count;
  const arrows = ladder.arrows.map((arrow, index): LadderArrowGeometry => {
    const y = g.headerHeight + g.rowHeight * (index + 0.75);
    const from = columns[arrow.from]?.x ?? g.timeWidth + g.columnWidth / 2;
    let to = columns[arrow.to]?.x ?? from;
    // A message to the same address (rare: a loop) is drawn as a short stub to the right.
    if (to === from) to = from + g.columnWidth / 3;
    const direction = to > from ? 1 : -1;
    const tip = to;
    const head = `M${tip} ${y} L${tip - direction * g.head} ${y - g.head / 2} L${tip - direction * g.head} ${y + g.head / 2} Z`;
    return {
      index,
      arrow,
      y,
      x1: from,
      x2: to - direction * (g.head - 1),
      head,
      labelX: (from + to) / 2,
      label: shortLabel(arrow.label),
      time: offsetText(arrow.offsetMs),
      dimmed: arrow.retransmission,
    };
  });
  return {
    width,
    height: g.headerHeight + g.rowHeight * Math.max(1, arrows.length) + g.rowHeight / 2,
    columns,
    arrows,
  };
}
