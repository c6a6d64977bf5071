/**
 * What `softphone register` does once its command line is understood (loaded when it runs): register the
 * account on a phone kept in memory, print every change, unregister at the end.
 */
import type { AccountSnapshot, RegistrationSnapshot } from '../../../src-shared/model/account.ts';
import { createNodePhone } from '../../phone/index.ts';
import { NodeClock } from '../../platform/index.ts';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../command.ts';
import type { CliContext } from '../command.ts';
import { CliPhoneClient } from '../phone-client.ts';
import { failureMessage } from './register.ts';
import type { RegisterPlan } from './register.ts';

/** How long to wait for the un-REGISTER's answer before leaving anyway. */
const UNREGISTER_WAIT_MS = 2_000;

/** Register, print the registration as it changes until the end, unregister; the exit code. */
export async function runRegister(plan: RegisterPlan, ctx: CliContext): Promise<number> {
  const phone = createNodePhone({
    host: 'cli',
    storage: 'none',
    sip: {
      tlsCa: plan.tlsCa,
      outbound: plan.outbound,
      ...(plan.retryBaseMs !== undefined && { retryBaseMs: plan.retryBaseMs }),
    },
  });
  try {
    return await registerAndWait(phone, plan, ctx);
  } finally {
    await phone.close();
  }
}

function clockTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** One line for people. */
function describe(registration: RegistrationSnapshot, aor: string): string {
  switch (registration.state) {
    case 'registering':
      return `Registering ${aor} at ${registration.registrar ?? '?'}\u2026`;
    case 'registered': {
      const nat =
        registration.publicAddress !== null ? ` (seen from outside as ${registration.publicAddress})` : '';
      return `Registered ${aor} as ${registration.contact ?? '?'} over ${registration.transport ?? '?'} for ${registration.grantedExpiresSec ?? '?'} s${nat}`;
    }
    case 'failed': {
      const retry =
        registration.nextRetryAt !== null
          ? `; trying again at ${clockTime(registration.nextRetryAt)} UTC`
          : '';
      return `${failureMessage(registration)}${retry}`;
    }
    case 'unregistering':
      return `Unregistering ${aor}\u2026`;
    case 'unregistered':
      return `Unregistered ${aor}.`;
  }
}

/** Failures that nothing but the user can fix. */
function isFinal(registration: RegistrationSnapshot, everRegistered: boolean): boolean {
  if (registration.state !== 'failed') return false;
  const kind = registration.reason?.kind;
  if (kind === 'auth' || kind === 'credentials' || kind === 'config') return true;
  return !everRegistered;
}

async function registerAndWait(
  phone: ReturnType<typeof createNodePhone>,
  plan: RegisterPlan,
  ctx: CliContext,
): Promise<number> {
  const client = new CliPhoneClient(phone);
  const clock = new NodeClock();
  const aor = plan.account.aor;
  let accountId: string | undefined;
  let lastPrinted = '';
  let everRegistered = false;
  let current: RegistrationSnapshot | undefined;
  let wake: () => void = () => {};

  const show = (registration: RegistrationSnapshot): void => {
    const line = JSON.stringify(registration);
    current = registration;
    if (registration.state === 'registered') everRegistered = true;
    if (line === lastPrinted) return;
    lastPrinted = line;
    ctx.out.event('registration', { aor, ...registration }, describe(registration, aor));
    wake();
  };
  const subscription = phone.events.on((event) => {
    if (event.name !== 'accounts.changed' || accountId === undefined) return;
    const mine = event.payload.find((a: AccountSnapshot) => a.id === accountId);
    if (mine !== undefined) show(mine.registration);
  });
  try {
    const added = await client.call('accounts.add', plan.account);
    if (!added.ok) {
      ctx.out.error(added.error.code, added.error.message);
      return added.error.code === 'invalid-request' ? EXIT_USAGE : EXIT_FAILED;
    }
    accountId = added.value.id;
    show(added.value.registration);

    // Wait for: a failure only the user can fix, the end of --duration, or Ctrl-C / SIGTERM.
    let stop: 'interrupted' | 'duration' | undefined;
    void ctx.interrupted.then(() => {
      stop ??= 'interrupted';
      wake();
    });
    const timer =
      plan.durationMs === undefined
        ? undefined
        : clock.setTimer(plan.durationMs, () => {
            stop ??= 'duration';
            wake();
          });
    try {
      while (stop === undefined && !(current !== undefined && isFinal(current, everRegistered))) {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      timer?.cancel();
      wake = () => {};
    }

    if (current !== undefined && isFinal(current, everRegistered)) {
      ctx.out.error('registration-failed', failureMessage(current));
      return EXIT_FAILED;
    }
    await unregister(
      client,
      accountId,
      clock,
      () => current,
      (resolve) => (wake = resolve),
    );
    ctx.out.result(
      { aor, registered: everRegistered, state: current?.state ?? 'unregistered', stoppedBy: stop },
      everRegistered
        ? `Stopped (${stop === 'duration' ? 'end of --duration' : 'interrupted'}).`
        : `${aor} was never registered.`,
    );
    return everRegistered ? EXIT_OK : EXIT_FAILED;
  } finally {
    subscription.dispose();
  }
}

/** accounts.unregister, then wait (at most UNREGISTER_WAIT_MS) until the state says unregistered. */
async function unregister(
  client: CliPhoneClient,
  id: string,
  clock: NodeClock,
  current: () => RegistrationSnapshot | undefined,
  onWake: (resolve: () => void) => void,
): Promise<void> {
  const state = current()?.state;
  if (state === undefined || state === 'unregistered') return;
  await client.call('accounts.unregister', { id });
  let timedOut = false;
  let wakeNow: () => void = () => {};
  const timer = clock.setTimer(UNREGISTER_WAIT_MS, () => {
    timedOut = true;
    wakeNow();
  });
  while (!timedOut && current()?.state !== 'unregistered') {
    await new Promise<void>((resolve) => {
      wakeNow = resolve;
      onWake(resolve);
    });
  }
  timer.cancel();
}
