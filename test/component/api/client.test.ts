import { describe, expect, it } from 'vitest';
import {
  ApiError,
  MISSING_BRIDGE_MESSAGE,
  connectPhoneApi,
  createPhoneApi,
  failureOf,
} from '../../../src-renderer/src/api/index.ts';
import type { SoftphoneBridge } from '../../../src-shared/ipc/index.ts';
import { FAKE_APP_INFO, FakeBridge } from '../support/fake-bridge.ts';

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('PhoneApi', () => {
  it('answers the value of a successful command and passes the request through', async () => {
    const bridge = new FakeBridge();
    const api = createPhoneApi(bridge);
    expect(await api.call('app.info', {})).toEqual(FAKE_APP_INFO);
    await api.call('app.logHistory', { limit: 3 });
    expect(bridge.calls).toEqual([
      { name: 'app.info', request: {} },
      { name: 'app.logHistory', request: { limit: 3 } },
    ]);
    expect(api.host).toBe('test-host');
  });

  it('throws ApiError with the code and message of a failed command', async () => {
    const bridge = new FakeBridge();
    bridge.fail('settings.set', { code: 'invalid-request', message: 'app.theme: invalid option' });
    const error = await rejectionOf(createPhoneApi(bridge).call('settings.set', { app: { theme: 'dark' } }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      name: 'ApiError',
      code: 'invalid-request',
      message: 'app.theme: invalid option',
    });
  });

  it('turns a rejected bridge call into ApiError unavailable', async () => {
    const bridge = new FakeBridge();
    bridge.override('app.info', () => Promise.reject(new Error('channel closed')));
    const error = await rejectionOf(createPhoneApi(bridge).call('app.info', {}));
    expect(error).toMatchObject({ code: 'unavailable', message: 'app.info: channel closed' });
  });

  it('turns an answer of unknown shape into ApiError internal', async () => {
    const bridge = new FakeBridge();
    bridge.override('app.info', () => Promise.resolve({ value: 1 } as never));
    const error = await rejectionOf(createPhoneApi(bridge).call('app.info', {}));
    expect(error).toMatchObject({
      code: 'internal',
      message: 'app.info: the host answered in an unknown shape',
    });
  });

  it('reports a command the host does not offer', async () => {
    const bridge = new FakeBridge();
    const partial = {
      host: 'electron',
      commands: {},
      on: bridge.on.bind(bridge),
    } as unknown as SoftphoneBridge;
    const error = await rejectionOf(createPhoneApi(partial).call('settings.get', {}));
    expect(error).toMatchObject({ code: 'unknown-command', message: 'the host does not offer settings.get' });
  });

  it('subscribes to events and unsubscribes', () => {
    const bridge = new FakeBridge();
    const api = createPhoneApi(bridge);
    const seen: string[] = [];
    const off = api.on('app.log', (entry) => seen.push(entry.message));
    bridge.writeLog('info', 'test', 'first');
    off();
    bridge.writeLog('info', 'test', 'second');
    expect(seen).toEqual(['first']);
    expect(bridge.listenerCount()).toBe(0);
  });
});

describe('connectPhoneApi', () => {
  it('uses window.softphone when it is a bridge', async () => {
    const api = connectPhoneApi({ softphone: new FakeBridge() });
    expect(api.host).toBe('test-host');
    expect((await api.call('app.info', {})).version).toBe(FAKE_APP_INFO.version);
  });

  it.each([undefined, null, {}, { commands: {} }, { on: () => {} }])(
    'fails every call with a clear message when window.softphone is %j',
    async (softphone) => {
      const api = connectPhoneApi({ softphone });
      expect(api.host).toBe('none');
      const error = await rejectionOf(api.call('app.info', {}));
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ code: 'unavailable', message: MISSING_BRIDGE_MESSAGE });
      expect(MISSING_BRIDGE_MESSAGE).toContain('window.softphone is missing');
      const off = api.on('app.log', () => {});
      off();
    },
  );
});

describe('failureOf', () => {
  it('keeps code and message of an ApiError and calls anything else internal', () => {
    expect(failureOf(new ApiError('timeout', 'too slow'))).toEqual({ code: 'timeout', message: 'too slow' });
    expect(failureOf(new TypeError('x is undefined'))).toEqual({
      code: 'internal',
      message: 'x is undefined',
    });
    expect(failureOf('odd')).toEqual({ code: 'internal', message: 'odd' });
  });
});
