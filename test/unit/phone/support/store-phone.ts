/**
 * A real `Phone` on the fake platform with a real store in a temporary folder, driven through the
 * validating `CommandRouter` exactly as the app's IPC drives it. Events and internal errors are recorded.
 */
import type {
  CommandName,
  IpcResult,
  PhoneEvent,
  RequestOf,
  ResponseOf,
} from '../../../../src-shared/ipc/index.ts';
import { FakeClock, FakeResolver, MemoryNetwork } from '../../../../src-main/platform/index.ts';
import { CommandRouter, Phone } from '../../../../src-main/phone/index.ts';
import type { Store } from '../../../../src-main/store/index.ts';
import { makeTempDir, openTestStore, type TempDir } from '../../store/helpers.ts';

export interface StorePhone {
  readonly phone: Phone;
  readonly store: Store | null;
  readonly clock: FakeClock;
  readonly events: PhoneEvent[];
  /** Bugs the router saw (non-PhoneError throws, invalid responses): every test expects none. */
  readonly internal: Array<{ name: string; error: unknown }>;
  /** Dispatch through the router, as the renderer would (`payload` may be anything). */
  dispatch(name: unknown, payload: unknown): Promise<IpcResult<unknown>>;
  /** Typed dispatch; throws if the command fails. */
  call<N extends CommandName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>>;
  eventsNamed<N extends PhoneEvent['name']>(name: N): Array<Extract<PhoneEvent, { name: N }>['payload']>;
}

export const TEST_START = 1_700_000_000_000;

export function phoneOn(store: Store | null, clock = new FakeClock({ now: TEST_START })): StorePhone {
  const phone = new Phone({
    host: 'cli',
    dataDir: '/test-data',
    clock,
    network: new MemoryNetwork(clock).host('192.0.2.10'),
    resolver: new FakeResolver(),
    app: { name: 'Softphone', version: '0.0.0-test' },
    versions: { node: '24', v8: '13', electron: null, chrome: null },
    platform: { os: 'linux', arch: 'x64' },
    ...(store !== null ? { store } : {}),
  });
  const events: PhoneEvent[] = [];
  phone.events.on((e) => {
    if (e.name !== 'app.log') events.push(e);
  });
  const internal: Array<{ name: string; error: unknown }> = [];
  const router = new CommandRouter(phone.handlers, {
    isTrustedSender: () => true,
    onInternalError: (name, error) => internal.push({ name, error }),
  });
  const dispatch = (name: unknown, payload: unknown) => router.dispatch(name, payload, { kind: 'electron' });
  return {
    phone,
    store,
    clock,
    events,
    internal,
    dispatch,
    async call(name, request) {
      const result = await dispatch(name, request);
      if (!result.ok) throw new Error(`${name} failed: ${result.error.code}: ${result.error.message}`);
      return result.value as never;
    },
    eventsNamed(name) {
      return events.filter((e) => e.name === name).map((e) => e.payload) as never;
    },
  };
}

/** A temporary data folder with an open store and a phone on it; `close()` closes both and deletes it. */
export function storePhone(): StorePhone & { temp: TempDir; close(): Promise<void> } {
  const temp = makeTempDir('softphone-phone-');
  const clock = new FakeClock({ now: TEST_START });
  const store = openTestStore(temp.path, clock);
  const phone = phoneOn(store, clock);
  return {
    ...phone,
    temp,
    async close() {
      await phone.phone.close();
      temp.remove();
    },
  };
}
