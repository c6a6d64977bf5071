/**
 * RFC 3261 §17 timer values (Table 4 of Appendix A) from T1, T2 and T4, plus RFC 6026's L and M.
 *
 *   T1  500 ms  RTT estimate                      T2  4 s  longest retransmit interval (non-INVITE, 2xx)
 *   T4  5 s     longest time a message lives in the network
 *
 *   A  INVITE retransmit, starts at T1, doubles (no cap)     unreliable only
 *   B  INVITE transaction timeout                  64·T1
 *   C  proxy INVITE timeout                        not used: we are a UA, never a proxy
 *   D  wait for response retransmits (ICT)         32 s unreliable, 0 reliable ("at least 32 seconds")
 *   E  non-INVITE retransmit, T1 doubling to T2    unreliable only
 *   F  non-INVITE transaction timeout              64·T1
 *   G  INVITE response retransmit, T1 doubling to T2   unreliable only
 *   H  wait for ACK                                64·T1
 *   I  wait for ACK retransmits                    T4 unreliable, 0 reliable
 *   J  wait for non-INVITE request retransmits     64·T1 unreliable, 0 reliable
 *   K  wait for non-INVITE response retransmits    T4 unreliable, 0 reliable
 *   L  RFC 6026: IST Accepted → Terminated         64·T1
 *   M  RFC 6026: ICT Accepted → Terminated         64·T1
 */

export interface TransactionTimerValues {
  readonly t1: number;
  readonly t2: number;
  readonly t4: number;
}

export const RFC3261_TIMERS: TransactionTimerValues = { t1: 500, t2: 4_000, t4: 5_000 };

/** Defaults filled in; throws on values that would make the machines misbehave (a configuration bug). */
export function timerValues(partial: Partial<TransactionTimerValues> = {}): TransactionTimerValues {
  const values = { ...RFC3261_TIMERS, ...partial };
  for (const [name, v] of Object.entries(values)) {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`SIP timer ${name} must be > 0 ms, got ${v}`);
  }
  if (values.t2 < values.t1)
    throw new RangeError(`SIP timer T2 (${values.t2}) must not be below T1 (${values.t1})`);
  return values;
}

/** 64·T1: Timers B, F, H, J (unreliable), L and M. */
export function transactionTimeout(t: TransactionTimerValues): number {
  return 64 * t.t1;
}

/** Timer D: "at least 32 seconds for unreliable transports, and a value of zero seconds for reliable". */
export function timerD(t: TransactionTimerValues, reliable: boolean): number {
  return reliable ? 0 : Math.max(32_000, 64 * t.t1);
}

/** Timer I and K: T4 for unreliable transports, 0 for reliable ones. */
export function timerT4(t: TransactionTimerValues, reliable: boolean): number {
  return reliable ? 0 : t.t4;
}

/** Timer J: 64·T1 for unreliable transports, 0 for reliable ones. */
export function timerJ(t: TransactionTimerValues, reliable: boolean): number {
  return reliable ? 0 : 64 * t.t1;
}
