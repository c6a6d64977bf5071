/**
 * A registration snapshot in plain words: the state pill, why it failed (with the SIP status where one
 * decided it: "The password was not accepted (403 Forbidden)"), what happens next, and when the binding
 * runs out. The phone's own `reason.text` is English; the messages here are the UI's, with the phone's
 * values (status, reason phrase, host, transport) filled in.
 */
import type { AccountSnapshot, RegistrationSnapshot } from '../../../../src-shared/model/account.ts';
import { assertNever } from '../../../../src-shared/util/emitter.ts';
import type { LocalizedMessage, MessageKey } from '../../i18n/index.ts';
import { formatClock } from '../../ui/index.ts';

/** How the pill looks: ok (registered), busy (on its way), bad (failed), idle (off or not registered). */
export type PillTone = 'ok' | 'busy' | 'bad' | 'idle';

export type PillState = RegistrationSnapshot['state'] | 'disabled';

/** The pill's state: a disabled account that is not registered is "off", whatever its last state. */
export function pillStateOf(account: AccountSnapshot): PillState {
  const state = account.registration.state;
  return !account.enabled && (state === 'unregistered' || state === 'failed') ? 'disabled' : state;
}

export function pillToneOf(state: PillState): PillTone {
  switch (state) {
    case 'registered':
      return 'ok';
    case 'registering':
    case 'unregistering':
      return 'busy';
    case 'failed':
      return 'bad';
    case 'unregistered':
    case 'disabled':
      return 'idle';
    default:
      return assertNever(state, 'registration state');
  }
}

export function pillKeyOf(state: PillState): MessageKey {
  return `accounts.states.${state}`;
}

/** `sip:pbx.example.com:5070;transport=udp` → `pbx.example.com:5070`. */
export function hostOfUri(uri: string | null): string | null {
  if (!uri) return null;
  const match = /^sips?:(?:[^@]*@)?(\[[^\]]+\]|[^;?>:]+)(:\d+)?/i.exec(uri);
  return match ? `${match[1]}${match[2] ?? ''}` : null;
}

/** The server the account registers with, as people name it. */
export function registrarHostOf(account: AccountSnapshot): string {
  return hostOfUri(account.registration.registrar) ?? hostOfUri(account.outboundProxy) ?? account.domain;
}

/** Why the registration failed, in plain words; null when it did not fail. */
export function failureMessageOf(account: AccountSnapshot): LocalizedMessage | null {
  const reason = account.registration.reason;
  if (!reason) return null;
  const status = reason.code === undefined ? null : `${reason.code} ${reason.text}`.trim();
  const host = registrarHostOf(account);
  const transport = (account.registration.transport ?? account.transport).toUpperCase();
  switch (reason.kind) {
    case 'auth':
      return status
        ? {
            key: reason.code === 403 ? 'accounts.reasons.forbidden' : 'accounts.reasons.auth',
            params: { status },
          }
        : { key: 'accounts.reasons.authNoStatus' };
    case 'credentials':
      return { key: 'accounts.reasons.credentials' };
    case 'rejected':
      if (reason.code === 404 || reason.code === 604)
        return { key: 'accounts.reasons.notFound', params: { status: status ?? '' } };
      if (reason.code !== undefined && reason.code >= 500 && reason.code < 600)
        return { key: 'accounts.reasons.serverError', params: { status: status ?? '' } };
      return status
        ? { key: 'accounts.reasons.rejected', params: { status } }
        : { key: 'accounts.reasons.rejectedNoStatus', params: { detail: reason.text } };
    case 'timeout':
      return transport === 'UDP'
        ? { key: 'accounts.reasons.timeoutUdp', params: { host, transport } }
        : { key: 'accounts.reasons.timeout', params: { host, transport } };
    case 'transport':
      return { key: 'accounts.reasons.transport', params: { host, transport, detail: reason.text } };
    case 'no-target':
      return { key: 'accounts.reasons.noTarget', params: { host } };
    case 'config':
      return { key: 'accounts.reasons.config', params: { detail: reason.text } };
    default:
      return assertNever(reason.kind, 'registration failure');
  }
}

/** What happens next after a failure: an automatic retry (in how long), or nothing until the user acts. */
export function nextStepOf(registration: RegistrationSnapshot, now: number): LocalizedMessage | null {
  if (registration.state !== 'failed') return null;
  if (registration.nextRetryAt === null) return { key: 'accounts.next.waitsForYou' };
  return {
    key: 'accounts.next.retryIn',
    params: { time: formatClock(registration.nextRetryAt - now + 999) },
  };
}
