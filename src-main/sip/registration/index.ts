/**
 * sip/registration — one account's binding at its registrar (RFC 3261 §10, RFC 5626 flow recovery),
 * as a `RegistrationRefresher` per account. It talks to the network only through a `RegistrarChannel`
 * (sip/ua's `SipUserAgent` fits: the UA core sits above this layer) and to time through the Clock.
 *
 *   const reg = new RegistrationRefresher({ clock, channel: ua, log, name: account.id,
 *     config: {
 *       aor: sipUri({ user: '1000', host: 'pbx.example.com' }),
 *       registrar: sipUri({ host: 'pbx.example.com' }),                 // the Request-URI
 *       outboundProxy: proxyUri,                                          // optional; ;lr → Route
 *       transport: 'tcp',                                                 // when the next hop names none
 *       credentials: { username: '1000', password },
 *       expiresSec: 600,
 *       instanceId: instanceIdFor(account.id),                           // +sip.instance, stable
 *       outbound: false,                                                  // RFC 5626 reg-id
 *       keepalive: { intervalMs: 25_000 },                                // RFC 5626 §4.4
 *       retry: { baseMs: 30_000, maxMs: 1_800_000 },                      // RFC 5626 §4.5
 *     },
 *     detectSipAlg: (echo) => detectSipAlg(echo).status,                // src-main/nat, optional
 *     localAddresses: () => network.interfaces().map((i) => i.address) });
 *   reg.onChange((snapshot) => …);        // { state, reason, expiresAt, nextRetryAt, contact, publicAddress, … }
 *   reg.register();                       // unregistered/failed → registering → registered (or failed)
 *   reg.networkChanged('resumed');        // interfaces changed / woke up: new flow, REGISTER now
 *   await reg.unregister();               // Expires: 0 for our Contact only (never * unless { all: true })
 *   reg.dispose();                        // timers, keepalive, flow hold released; nothing sent
 *
 * The schedule (exact, see schedule.ts): refresh after max(granted/2, granted − 40 s); after a failure,
 * retry after a uniform random 50–100 % of min(max, base·2^failures) (RFC 5626 §4.5), or exactly the
 * Retry-After a response named. A refused password (401/407 twice, or 403) stops there until
 * `register()`; nothing retries it behind the user's back.
 */
export { RegistrationRefresher } from './registration-refresher.ts';
export type { UnregisterOptions } from './registration-refresher.ts';
export { RegisterExchange } from './register-exchange.ts';
export type {
  RegisterAttempt,
  RegisterExchangeInit,
  RegisterExchangeState,
  RegisterOutcome,
} from './register-exchange.ts';
export {
  contactFor,
  contactText,
  findOwnBinding,
  grantedExpires,
  reportedAddress,
  withTransport,
} from './register-message.ts';
export type { ContactSpec, OwnBinding } from './register-message.ts';
export {
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_MAX_MS,
  REFRESH_MARGIN_MS,
  refreshDelayMs,
  retryDelayMs,
} from './schedule.ts';
export { instanceIdFor } from './instance-id.ts';
export type {
  HostPort,
  RegisterEcho,
  RegisterRequestSpec,
  RegisterSendOptions,
  RegistrarChannel,
  RegistrationConfig,
  RegistrationKeepalive,
  RegistrationRefresherOptions,
  RetryPolicy,
  SipAlgStatusValue,
} from './types.ts';
export type {
  RegistrationReason,
  RegistrationSnapshot,
  RegistrationState,
} from '../../../src-shared/model/account.ts';
