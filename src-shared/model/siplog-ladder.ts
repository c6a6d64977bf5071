/**
 * The ladder (sequence) diagram of one Call-ID, computed from SIP log entries — pure data the renderer
 * draws directly: one column per address, one arrow per message, oldest first.
 *
 *    192.0.2.10:5060        203.0.113.5:5060          columns: our addresses first (in order of
 *          │ ── INVITE (SDP) ──▶ │                               appearance), then the far ends
 *          │ ◀── 100 Trying ──── │
 *          │ ◀── 180 Ringing ─── │
 *          │ ◀── 180 Ringing ─── │  retransmission: same branch, direction and start line as before
 *          │ ◀── 200 OK (SDP) ── │
 *          │ ────── ACK ───────▶ │
 */
import { assertNever } from '../util/emitter.ts';
import type { SipLogEntry, SipLogKind, SipLogTransport } from './siplog.ts';

export interface LadderParticipant {
  /** 'ip:port' */
  readonly address: string;
  /** One of our own addresses (the left-hand columns). */
  readonly local: boolean;
}

export interface LadderArrow {
  /** Column indexes into `participants`. */
  readonly from: number;
  readonly to: number;
  /** "INVITE (SDP)", "180 Ringing", "200 OK (SDP)"; an invalid message: "invalid: <first line or reason>". */
  readonly label: string;
  /** Epoch ms. */
  readonly at: number;
  /** Milliseconds since the ladder's first message. */
  readonly offsetMs: number;
  /** The SipLogEntry's seq (to show the full message next to the diagram). */
  readonly entrySeq: number;
  readonly kind: SipLogKind;
  /** Request method, or the CSeq method of a response; '' when unknown. */
  readonly method: string;
  readonly status: number | null;
  readonly transport: SipLogTransport;
  /** An earlier arrow has the same branch (transaction), direction and start line. */
  readonly retransmission: boolean;
  /** The entrySeq of the first transmission when this is a retransmission, else null. */
  readonly retransmissionOf: number | null;
}

export interface Ladder {
  readonly callId: string;
  readonly participants: readonly LadderParticipant[];
  readonly arrows: readonly LadderArrow[];
}

/** The ladder of `callId` among `entries` (any order; arrows come out in capture order). */
export function ladderOf(entries: readonly SipLogEntry[], callId: string): Ladder {
  const mine = entries.filter((e) => e.callId === callId).sort((a, b) => a.seq - b.seq);
  const locals: string[] = [];
  const remotes: string[] = [];
  for (const e of mine) {
    if (!locals.includes(e.local)) locals.push(e.local);
  }
  for (const e of mine) {
    if (!locals.includes(e.remote) && !remotes.includes(e.remote)) remotes.push(e.remote);
  }
  const participants: LadderParticipant[] = [
    ...locals.map((address) => ({ address, local: true })),
    ...remotes.map((address) => ({ address, local: false })),
  ];
  const column = new Map<string, number>(participants.map((p, i) => [p.address, i]));
  const firstTransmission = new Map<string, number>();
  const start = mine[0]?.at ?? 0;
  const arrows = mine.map((e): LadderArrow => {
    const local = column.get(e.local) ?? 0;
    const remote = column.get(e.remote) ?? 0;
    const key = transmissionKey(e);
    const original = key === null ? undefined : firstTransmission.get(key);
    if (key !== null && original === undefined) firstTransmission.set(key, e.seq);
    return {
      from: e.direction === 'out' ? local : remote,
      to: e.direction === 'out' ? remote : local,
      label: labelOf(e),
      at: e.at,
      offsetMs: e.at - start,
      entrySeq: e.seq,
      kind: e.kind,
      method: e.method,
      status: e.status ?? null,
      transport: e.transport,
      retransmission: original !== undefined,
      retransmissionOf: original ?? null,
    };
  });
  return { callId, participants, arrows };
}

/**
 * What makes two messages the same transmission: direction, transaction (the top Via branch; without one,
 * RFC 2543-style, the CSeq) and start line. An ACK for a 2xx has a branch of its own and a CANCEL another
 * start line, so neither counts as a retransmission of the INVITE.
 */
function transmissionKey(e: SipLogEntry): string | null {
  if (e.kind === 'invalid') return null;
  const transaction = e.branch ?? (e.cseq === null ? null : `cseq:${e.cseq.seq} ${e.cseq.method}`);
  if (transaction === null) return null;
  return `${e.direction}\u0000${transaction}\u0000${e.startLine}`;
}

function labelOf(e: SipLogEntry): string {
  const sdp = e.contentType === 'application/sdp' ? ' (SDP)' : '';
  switch (e.kind) {
    case 'request':
      return `${e.method}${sdp}`;
    case 'response': {
      // "SIP/2.0 180 Ringing" → "180 Ringing"
      const space = e.startLine.indexOf(' ');
      return `${space >= 0 ? e.startLine.slice(space + 1) : e.startLine}${sdp}`;
    }
    case 'invalid':
      return `invalid: ${(e.startLine || e.invalidReason || 'unparseable message').slice(0, 60)}`;
    default:
      return assertNever(e.kind, 'SIP log kind');
  }
}
