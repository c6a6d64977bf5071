/**
 * How a call ended, in the words a person uses (`CallReason`), and what that means for the call log
 * (`CallResult`). The SIP status classes follow RFC 3261 §21; the mapping of classes to categories is
 * ours (it is what a softphone shows), with the SIP code kept beside it.
 */
import type { CallReason } from '../../src-shared/model/call.ts';
import type { CallDirection, CallResult } from '../../src-shared/model/history.ts';

/** The reason for a final non-2xx response to our INVITE. */
export function reasonForStatus(status: number, phrase: string): CallReason {
  const text = `${status} ${phrase}`.trim();
  // §21.4.24 486 Busy Here, §21.6.1 600 Busy Everywhere.
  if (status === 486 || status === 600) return { kind: 'busy', text };
  // §21.6.2 603 Decline: "the callee's machine was successfully contacted but the user explicitly does
  // not wish to or cannot participate."
  if (status === 603) return { kind: 'declined', text };
  // §21.4.5 404 Not Found, §21.6.3 604 Does Not Exist Anywhere, §21.4.19 484 Address Incomplete.
  if (status === 404 || status === 604 || status === 484) return { kind: 'not-found', text };
  // §21.4.18 480 Temporarily Unavailable (not registered, do-not-disturb).
  if (status === 480) return { kind: 'unavailable', text };
  // §21.4.9 408 Request Timeout.
  if (status === 408) return { kind: 'timeout', text };
  // §21.4.26 488 Not Acceptable Here / §21.6.4 606 Not Acceptable: the session description.
  if (status === 488 || status === 606) return { kind: 'no-common-codec', text };
  if (status === 401 || status === 407) return { kind: 'auth-failed', text };
  if (status === 487) return { kind: 'cancelled', text };
  if (status >= 500 && status < 600) return { kind: 'server-error', text };
  return { kind: 'rejected', text };
}

/**
 * The call log's result for a call that ended with `reason` (RFC-free bookkeeping):
 * answered calls are `answered` whatever ended them; an incoming call that was never answered is
 * `missed` when the caller gave up (or it rang out), `rejected` when we refused it; an outgoing one is
 * `cancelled` when we gave up, `busy`, `rejected` (declined) or `failed`.
 */
export function historyResultOf(direction: CallDirection, answered: boolean, reason: CallReason): CallResult {
  if (answered) return 'answered';
  const kind = reason.kind;
  if (direction === 'incoming') {
    if (kind === 'remote-cancelled' || kind === 'no-answer' || kind === 'answered-elsewhere') return 'missed';
    if (kind === 'declined' || kind === 'busy' || kind === 'local-hangup') return 'rejected';
    return 'failed';
  }
  if (kind === 'cancelled' || kind === 'local-hangup') return 'cancelled';
  if (kind === 'busy') return 'busy';
  if (kind === 'declined') return 'rejected';
  return 'failed';
}

/** Did the call end the way calls are supposed to end (for the CLI's exit code)? */
export function endedNormally(answered: boolean, reason: CallReason): boolean {
  if (!answered) return false;
  return (
    reason.kind === 'local-hangup' ||
    reason.kind === 'remote-hangup' ||
    reason.kind === 'transferred' ||
    reason.kind === 'replaced'
  );
}
