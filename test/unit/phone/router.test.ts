import { describe, expect, it } from 'vitest';
import { commands, ErrorCode, PhoneError } from '../../../src-shared/ipc/index.ts';
import type { CommandName } from '../../../src-shared/ipc/index.ts';
import { CommandRouter, type CommandHandlers } from '../../../src-main/phone/index.ts';
import { SeededRandom } from '../../support/random.ts';

/** Handlers that record every call and check each one received schema-valid data. */
function recordingHandlers() {
  const calls: Array<{ name: CommandName; valid: boolean }> = [];
  const handlers = {} as Record<CommandName, (req: unknown) => unknown>;
  for (const name of Object.keys(commands) as CommandName[]) {
    handlers[name] = (req: unknown) => {
      calls.push({ name, valid: commands[name].request.safeParse(req).success });
      throw new PhoneError('not-implemented', 'recorded');
    };
  }
  return { calls, handlers: handlers as unknown as CommandHandlers };
}

const HOSTILE_STRINGS = [
  '',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '\u0000',
  '\ud800',
  '<script>alert(1)</script>',
  "'; DROP TABLE calls; --",
  '../../../../etc/passwd',
  'x'.repeat(100_000),
  '🙂'.repeat(1000),
  'app.info ',
  'APP.INFO',
  'app.info\u0000',
];

function randomValue(rng: SeededRandom, depth = 0): unknown {
  const kind = rng.int(depth > 4 ? 9 : 14);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.pick([0, -1, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 63), 1e308]);
    case 3:
      return rng.chance(0.5);
    case 4:
      return rng.pick(HOSTILE_STRINGS);
    case 5:
      return String.fromCharCode(...Array.from({ length: rng.int(40) }, () => rng.int(0x10000)));
    case 6:
      return BigInt(rng.int(1000));
    case 7:
      return Symbol('s');
    case 8:
      return rng.pick([() => 1, new Date(), new Map([[1, 2]]), new Uint8Array(8), /re/g, new Error('e')]);
    case 9:
    case 10: {
      const arr: unknown[] = [];
      for (let i = rng.int(6); i > 0; i--) arr.push(randomValue(rng, depth + 1));
      return arr;
    }
    default: {
      const obj: Record<string, unknown> = rng.chance(0.1) ? Object.create(null) : {};
      const keys = [
        'limit',
        'theme',
        'language',
        'audio',
        'nat',
        '__proto__',
        'constructor',
        'x',
        'codecs',
        '',
      ];
      for (let i = rng.int(5); i > 0; i--) {
        const key = rng.pick(keys);
        Object.defineProperty(obj, key, {
          value: randomValue(rng, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return obj;
    }
  }
}

describe('CommandRouter', () => {
  it('answers 10,000 random and hostile payloads with typed errors, never calling a handler with invalid data', async () => {
    const rng = new SeededRandom(20261121);
    const { calls, handlers } = recordingHandlers();
    const internal: unknown[] = [];
    const router = new CommandRouter(handlers, {
      isTrustedSender: () => true,
      onInternalError: (_n, e) => internal.push(e),
    });
    const names = Object.keys(commands);
    const codes = new Set<string>(ErrorCode.options);
    let okCount = 0;
    let typedErrors = 0;
    for (let i = 0; i < 10_000; i++) {
      const name = rng.chance(0.8) ? rng.pick(names) : randomValue(rng);
      const payload = randomValue(rng);
      const result = await router.dispatch(name, payload, { kind: 'electron' });
      expect(typeof result.ok).toBe('boolean');
      if (result.ok) {
        okCount++;
        continue;
      }
      expect(codes.has(result.error.code)).toBe(true);
      expect(typeof result.error.message).toBe('string');
      expect(result.error.message.length).toBeLessThanOrEqual(2000);
      expect(result.error.message).not.toMatch(/\n\s+at /); // no stack traces cross
      expect(Object.keys(result.error).sort()).toEqual(['code', 'message']);
      typedErrors++;
    }
    expect(okCount).toBe(0); // every handler above throws PhoneError, so nothing is ok
    expect(typedErrors).toBe(10_000);
    expect(calls.every((c) => c.valid)).toBe(true);
    expect(calls.length).toBeGreaterThan(0); // some random payloads were valid and did reach handlers
    expect(internal).toEqual([]);
  });

  it('refuses unknown names, including prototype keys', async () => {
    const { calls, handlers } = recordingHandlers();
    const router = new CommandRouter(handlers, { isTrustedSender: () => true });
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'app', 'app.info.x', 42, null]) {
      const r = await router.dispatch(name, {}, { kind: 'cli' });
      expect(r).toMatchObject({ ok: false, error: { code: 'unknown-command' } });
    }
    expect(calls).toEqual([]);
  });

  it('refuses untrusted senders before looking at the payload', async () => {
    const { calls, handlers } = recordingHandlers();
    const router = new CommandRouter(handlers, { isTrustedSender: (s) => s.url === 'app://softphone/' });
    const r = await router.dispatch('app.info', {}, { kind: 'electron', url: 'https://evil.example/' });
    expect(r).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'sender is not allowed to use the phone API' },
    });
    const throwing = new CommandRouter(handlers, {
      isTrustedSender: () => {
        throw new Error('boom');
      },
    });
    expect(await throwing.dispatch('app.info', {}, { kind: 'electron' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(calls).toEqual([]);
  });

  it('turns unexpected throws and invalid responses into `internal` without leaking details', async () => {
    const internal: string[] = [];
    const { handlers } = recordingHandlers();
    const router = new CommandRouter(
      {
        ...handlers,
        'app.info': () => {
          throw new Error('secret path /home/u/.config at line 3');
        },
        'app.logHistory': () => 'not an array' as never,
      },
      { isTrustedSender: () => true, onInternalError: (n) => internal.push(n) },
    );
    const a = await router.dispatch('app.info', {}, { kind: 'cli' });
    expect(a).toEqual({ ok: false, error: { code: 'internal', message: 'app.info failed unexpectedly' } });
    const b = await router.dispatch('app.logHistory', {}, { kind: 'cli' });
    expect(b).toEqual({
      ok: false,
      error: { code: 'internal', message: 'app.logHistory produced an invalid response' },
    });
    expect(internal).toEqual(['app.info', 'app.logHistory']);
  });

  it('passes PhoneError codes through and returns validated values', async () => {
    const { handlers } = recordingHandlers();
    const router = new CommandRouter(
      {
        ...handlers,
        'app.logHistory': (req) =>
          req.limit === 1 ? [] : Promise.reject(new PhoneError('not-found', 'nothing')),
      },
      { isTrustedSender: () => true },
    );
    expect(await router.dispatch('app.logHistory', { limit: 1 }, { kind: 'cli' })).toEqual({
      ok: true,
      value: [],
    });
    expect(await router.dispatch('app.logHistory', { limit: 2 }, { kind: 'cli' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'nothing' },
    });
    expect(await router.dispatch('app.logHistory', { limit: 2, extra: true }, { kind: 'cli' })).toMatchObject(
      {
        ok: false,
        error: { code: 'invalid-request' },
      },
    );
  });
});
