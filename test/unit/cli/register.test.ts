/**
 * `softphone register`: the command line → account and timing, the failure messages, and usage errors
 * through runCli. (Registering itself runs against Kamailio in test/interop/sip/registration.test.ts.)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccountInput } from '../../../src-shared/model/account.ts';
import type { RegistrationSnapshot } from '../../../src-shared/model/account.ts';
import { EXIT_USAGE, UsageError, runCli } from '../../../src-main/cli/index.ts';
import { failureMessage, registerPlanOf } from '../../../src-main/cli/commands/register.ts';
import { makeTempDir } from '../store/helpers.ts';

const never = new Promise<void>(() => {});

function capture() {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

function failed(reason: RegistrationSnapshot['reason']): RegistrationSnapshot {
  return {
    state: 'failed',
    reason,
    expiresAt: null,
    nextRetryAt: null,
    contact: null,
    publicAddress: null,
    transport: 'udp',
    registrar: 'sip:127.0.0.1:5060;transport=udp',
    sipAlg: 'unknown',
    outbound: false,
    requestedExpiresSec: 300,
    grantedExpiresSec: null,
    failures: 1,
  };
}

describe('registerPlanOf', () => {
  it('maps the flags onto an account the phone accepts', () => {
    const plan = registerPlanOf(
      {
        aor: 'sip:1000@lab.test',
        password: 'SECRET',
        'auth-user': 'u1000',
        proxy: 'sip:127.0.0.1:5060;transport=udp',
        transport: 'tcp',
        expires: '600',
        duration: '2.5',
        'retry-base': '1',
        outbound: true,
      },
      {},
    );
    expect(plan).toMatchObject({
      durationMs: 2500,
      retryBaseMs: 1000,
      outbound: true,
      tlsCa: [],
      account: {
        aor: 'sip:1000@lab.test',
        authUser: 'u1000',
        domain: 'lab.test',
        outboundProxy: 'sip:127.0.0.1:5060;transport=udp',
        transport: 'tcp',
        registerExpiresSec: 600,
        enabled: true,
        keepaliveIntervalSec: 25,
        password: 'SECRET',
      },
    });
    expect(AccountInput.safeParse(plan.account).success).toBe(true);
  });

  it('takes the password from SOFTPHONE_PASSWORD, the domain (with port) from the AOR, defaults otherwise', () => {
    const plan = registerPlanOf(
      { aor: 'sips:alice@pbx.example.com:5062' },
      { SOFTPHONE_PASSWORD: 'from-env' },
    );
    expect(plan.account).toMatchObject({
      password: 'from-env',
      domain: 'pbx.example.com:5062',
      transport: 'udp',
      registerExpiresSec: 300,
      outboundProxy: null,
      authUser: '',
    });
    expect(plan.durationMs).toBeUndefined();
    expect(
      registerPlanOf({ aor: 'sip:a@b', password: 'flag' }, { SOFTPHONE_PASSWORD: 'env' }).account.password,
    ).toBe('flag');
    expect('password' in registerPlanOf({ aor: 'sip:a@b' }, {}).account).toBe(false);
  });

  it('reads --ca files (PEM text); a missing file is a usage error', () => {
    const temp = makeTempDir('softphone-cli-ca-');
    try {
      const file = path.join(temp.path, 'ca.pem');
      writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      expect(registerPlanOf({ aor: 'sip:a@b', ca: [file] }, {}).tlsCa).toEqual([
        '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      ]);
      expect(() => registerPlanOf({ aor: 'sip:a@b', ca: [path.join(temp.path, 'missing.pem')] }, {})).toThrow(
        UsageError,
      );
    } finally {
      temp.remove();
    }
  });

  it.each([
    [{}, /--aor is required/],
    [{ aor: 'alice@lab.test' }, /--aor must be a SIP address with a user/],
    [{ aor: 'sip:lab.test' }, /--aor must be a SIP address with a user/],
    [{ aor: 'sip:a@b', transport: 'sctp' }, /--transport must be udp, tcp or tls/],
    [{ aor: 'sip:a@b', expires: '10' }, /--expires must be a number from 30 to 86400/],
    [{ aor: 'sip:a@b', duration: '-1' }, /--duration must be a number/],
  ])('usage error for %o', (values, message) => {
    expect(() => registerPlanOf(values, {})).toThrow(message);
  });
});

describe('failureMessage', () => {
  it('says what to do in plain words', () => {
    expect(failureMessage(failed({ kind: 'auth', code: 403, text: 'Forbidden' }))).toBe(
      'Registration failed: 403 Forbidden \u2014 check the password',
    );
    expect(failureMessage(failed({ kind: 'auth', code: 401, text: 'Unauthorized' }))).toBe(
      'Registration failed: 401 Unauthorized \u2014 check the password',
    );
    expect(
      failureMessage(
        failed({ kind: 'timeout', text: 'No answer from sip:127.0.0.1:5060;transport=udp over udp' }),
      ),
    ).toBe('No answer from sip:127.0.0.1:5060;transport=udp over udp');
    expect(failureMessage(failed({ kind: 'rejected', code: 404, text: 'Not Found' }))).toBe(
      'Registration failed: 404 Not Found',
    );
    expect(failureMessage(failed({ kind: 'transport', text: 'TCP connect to 127.0.0.1:5999 failed' }))).toBe(
      'Registration failed: TCP connect to 127.0.0.1:5999 failed',
    );
  });
});

describe('softphone register (runCli)', () => {
  it('a wrong command line exits 2 before any network activity', async () => {
    const io = capture();
    const code = await runCli({
      argv: ['register', '--password', 'x'],
      stdout: io.stdout,
      stderr: io.stderr,
      interrupted: never,
      env: {},
    });
    expect(code).toBe(EXIT_USAGE);
    expect(io.err).toMatch(/^softphone: --aor is required/);
    const json = capture();
    expect(
      await runCli({
        argv: ['register', '--aor', 'sip:a@b', '--expires', '5', '--json'],
        stdout: json.stdout,
        stderr: json.stderr,
        interrupted: never,
        env: {},
      }),
    ).toBe(EXIT_USAGE);
    expect(JSON.parse(json.out)).toMatchObject({ type: 'error', ok: false, code: 'usage' });
  });

  it('is listed in help with its flags', async () => {
    const io = capture();
    await runCli({
      argv: ['help', 'register', '--json'],
      stdout: io.stdout,
      stderr: io.stderr,
      interrupted: never,
      env: {},
    });
    const help = JSON.parse(io.out) as { value: { command: { options: { name: string }[] } } };
    expect(help.value.command.options.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        '--aor',
        '--password',
        '--auth-user',
        '--proxy',
        '--transport',
        '--expires',
        '--duration',
        '--ca',
        '--json',
      ]),
    );
  });
});
