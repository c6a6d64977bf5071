/**
 * Headers of dialog extensions: Event and Subscription-State (RFC 6665), Session-Expires and Min-SE
 * (RFC 4028), Replaces (RFC 3891).
 */
import { isToken, parseDeltaSeconds } from './chars.ts';
import { invalid, ok, type HeaderResult } from './errors.ts';
import { defineHeader } from './headers.ts';
import { formatParams, NO_PARAMS, scanParams, type HeaderParams } from './params.ts';
import { Scanner } from './scanner.ts';
import { isCallId } from './value-headers.ts';

/** A leading token (or other leading text up to ";") followed by `*( SEMI generic-param )`. */
function splitLead(
  field: string,
  value: string,
  lead: (sc: Scanner) => string,
): HeaderResult<{ lead: string; params: Map<string, string | null> }> {
  const sc = new Scanner(value);
  sc.sws();
  const first = lead(sc);
  if (first.length === 0) return invalid(field, 'missing value');
  const params = scanParams(sc, new Map());
  if (typeof params === 'string') return invalid(field, params);
  sc.sws();
  if (!sc.done) return invalid(field, 'unexpected characters');
  return ok({ lead: first, params: params ?? new Map() });
}

const leadToken = (sc: Scanner): string => sc.token();

function rest(params: Map<string, string | null>): HeaderParams {
  return params.size === 0 ? NO_PARAMS : params;
}

// ─────────────────────────── Event ───────────────────────────

/** Event = event-type *( SEMI event-param ); event-type = event-package *( "." event-template ). */
export interface EventValue {
  /** "refer", "presence", "message-summary", "presence.winfo"… as written. */
  readonly type: string;
  readonly id?: string;
  readonly params: HeaderParams;
}

export const EventHeader = defineHeader<EventValue>({
  name: 'Event',
  list: false,
  parse(value) {
    const r = splitLead('Event', value, leadToken);
    if (!r.ok) return r;
    const id = r.value.params.get('id');
    if (id === null || (id !== undefined && !isToken(id))) return invalid('Event', 'id must be a token');
    r.value.params.delete('id');
    return ok({ type: r.value.lead, ...(id !== undefined && { id }), params: rest(r.value.params) });
  },
  format: (v) => v.type + (v.id !== undefined ? `;id=${v.id}` : '') + formatParams(v.params),
});

// ─────────────────────────── Subscription-State ───────────────────────────

export interface SubscriptionStateValue {
  /** "active" / "pending" / "terminated" or an extension, in lower case. */
  readonly state: string;
  readonly reason?: string;
  readonly expires?: number;
  readonly retryAfter?: number;
  readonly params: HeaderParams;
}

export const SubscriptionStateHeader = defineHeader<SubscriptionStateValue>({
  name: 'Subscription-State',
  list: false,
  parse(value) {
    const r = splitLead('Subscription-State', value, leadToken);
    if (!r.ok) return r;
    const p = r.value.params;
    const reason = p.get('reason');
    if (reason === null || (reason !== undefined && !isToken(reason)))
      return invalid('Subscription-State', 'reason must be a token');
    const seconds = (name: string): number | undefined | 'bad' => {
      const raw = p.get(name);
      if (raw === undefined) return undefined;
      const n = raw === null ? NaN : parseDeltaSeconds(raw);
      return Number.isNaN(n) ? 'bad' : n;
    };
    const expires = seconds('expires');
    const retryAfter = seconds('retry-after');
    if (expires === 'bad' || retryAfter === 'bad')
      return invalid('Subscription-State', 'expires/retry-after must be delta-seconds');
    for (const n of ['reason', 'expires', 'retry-after']) p.delete(n);
    return ok({
      state: r.value.lead.toLowerCase(),
      ...(reason !== undefined && { reason: reason.toLowerCase() }),
      ...(expires !== undefined && { expires }),
      ...(retryAfter !== undefined && { retryAfter }),
      params: rest(p),
    });
  },
  format: (v) =>
    v.state +
    (v.reason !== undefined ? `;reason=${v.reason}` : '') +
    (v.expires !== undefined ? `;expires=${v.expires}` : '') +
    (v.retryAfter !== undefined ? `;retry-after=${v.retryAfter}` : '') +
    formatParams(v.params),
});

// ─────────────────────────── Session-Expires / Min-SE (RFC 4028) ───────────────────────────

const leadDigits = (sc: Scanner): string => {
  const start = sc.pos;
  while (sc.peek() >= 48 && sc.peek() <= 57) sc.pos++;
  return sc.text.slice(start, sc.pos);
};

/** Session-Expires = delta-seconds *( SEMI se-params ); refresher-param = "refresher" EQUAL ("uas" / "uac"). */
export interface SessionExpiresValue {
  readonly seconds: number;
  readonly refresher?: 'uac' | 'uas';
  readonly params: HeaderParams;
}

export const SessionExpiresHeader = defineHeader<SessionExpiresValue>({
  name: 'Session-Expires',
  list: false,
  parse(value) {
    const r = splitLead('Session-Expires', value, leadDigits);
    if (!r.ok) return r;
    const seconds = parseDeltaSeconds(r.value.lead);
    if (Number.isNaN(seconds)) return invalid('Session-Expires', 'must be delta-seconds');
    const raw = r.value.params.get('refresher');
    const refresher = raw === undefined ? undefined : raw === null ? '' : raw.toLowerCase();
    if (refresher !== undefined && refresher !== 'uac' && refresher !== 'uas') {
      return invalid('Session-Expires', 'refresher must be uac or uas');
    }
    r.value.params.delete('refresher');
    return ok({ seconds, ...(refresher !== undefined && { refresher }), params: rest(r.value.params) });
  },
  format: (v) =>
    String(v.seconds) +
    (v.refresher !== undefined ? `;refresher=${v.refresher}` : '') +
    formatParams(v.params),
});

/** Min-SE = delta-seconds *( SEMI generic-param ). */
export interface MinSessionExpiresValue {
  readonly seconds: number;
  readonly params: HeaderParams;
}

export const MinSEHeader = defineHeader<MinSessionExpiresValue>({
  name: 'Min-SE',
  list: false,
  parse(value) {
    const r = splitLead('Min-SE', value, leadDigits);
    if (!r.ok) return r;
    const seconds = parseDeltaSeconds(r.value.lead);
    if (Number.isNaN(seconds)) return invalid('Min-SE', 'must be delta-seconds');
    return ok({ seconds, params: rest(r.value.params) });
  },
  format: (v) => String(v.seconds) + formatParams(v.params),
});

// ─────────────────────────── Replaces (RFC 3891) ───────────────────────────

export interface ReplacesValue {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  /** early-flag: only replace an early dialog (RFC 3891 §3). */
  readonly earlyOnly: boolean;
  readonly params: HeaderParams;
}

/**
 * Replaces = callid *(SEMI replaces-param). RFC 3891 §6.1: "A Replaces header field MUST contain
 * exactly one to-tag and exactly one from-tag, as they are required for unique dialog matching."
 */
export const ReplacesHeader = defineHeader<ReplacesValue>({
  name: 'Replaces',
  list: false,
  parse(value) {
    const r = splitLead('Replaces', value, (sc) => {
      const start = sc.pos;
      while (!sc.done && sc.peek() !== 59 && sc.peek() !== 32 && sc.peek() !== 9) sc.pos++;
      return sc.text.slice(start, sc.pos);
    });
    if (!r.ok) return r;
    if (!isCallId(r.value.lead)) return invalid('Replaces', 'invalid call-id');
    const p = r.value.params;
    const toTag = p.get('to-tag');
    const fromTag = p.get('from-tag');
    if (
      toTag === undefined ||
      toTag === null ||
      fromTag === undefined ||
      fromTag === null ||
      !isToken(toTag) ||
      !isToken(fromTag)
    ) {
      return invalid('Replaces', 'to-tag and from-tag are required tokens');
    }
    const early = p.get('early-only');
    if (early !== undefined && early !== null) return invalid('Replaces', 'early-only takes no value');
    for (const n of ['to-tag', 'from-tag', 'early-only']) p.delete(n);
    return ok({ callId: r.value.lead, toTag, fromTag, earlyOnly: early === null, params: rest(p) });
  },
  format: (v) =>
    `${v.callId};to-tag=${v.toTag};from-tag=${v.fromTag}${v.earlyOnly ? ';early-only' : ''}${formatParams(v.params)}`,
});
