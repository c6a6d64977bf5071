import { describe, expect, it } from 'vitest';
import {
  EMPTY_ACCOUNT_FORM,
  accountFormOf,
  aorParts,
  checkAccountForm,
  failureMessageOf,
  hostOfUri,
  nextStepOf,
  pillStateOf,
  pillToneOf,
  proxyUriOf,
  registrarHostOf,
  srtpKeysExposedIn,
  type AccountForm,
} from '../../../../src-renderer/src/features/accounts/index.ts';
import { createAppI18n } from '../../../../src-renderer/src/i18n/index.ts';
import type { LocalizedMessage } from '../../../../src-renderer/src/i18n/index.ts';
import { FAKE_ACCOUNTS_NOW, accountSnapshot, registered } from '../../support/fake-accounts.ts';

const i18n = createAppI18n('en');
const words = (m: LocalizedMessage | null) => (m ? i18n.global.t(m.key, m.params ?? {}) : null);
const form = (fields: Partial<AccountForm>): AccountForm => ({ ...EMPTY_ACCOUNT_FORM, ...fields });

describe('account form', () => {
  it('makes the account from extension, password and domain, taking the transport DNS offered', () => {
    const checked = checkAccountForm(
      form({ extension: '1001', password: 'pw', domain: 'PBX.Example.com.' }),
      { mode: 'new', discoveredTransport: 'tcp' },
    );
    expect(checked).toEqual({
      ok: true,
      input: {
        label: '1001@pbx.example.com',
        aor: 'sip:1001@pbx.example.com',
        authUser: '',
        displayName: '',
        domain: 'pbx.example.com',
        outboundProxy: null,
        transport: 'tcp',
        registerExpiresSec: 600,
        enabled: true,
        iceMode: 'auto',
        stunServers: [],
        turnServers: [],
        keepaliveIntervalSec: 25,
        mediaPorts: null,
        codecs: null,
        dtmfMode: null,
        autoAnswer: false,
        srtp: 'off',
        password: 'pw',
      },
    });
    // without DNS's word: UDP
    const plain = checkAccountForm(form({ extension: 'alice', password: 'pw', domain: 'lab.test' }), {
      mode: 'new',
    });
    expect(plain.ok && plain.input.transport).toBe('udp');
  });

  it('takes the advanced fields: proxy, transport, ports, STUN/TURN, ICE, auth user, display name', () => {
    const checked = checkAccountForm(
      form({
        extension: 'alice',
        password: 'pw',
        domain: 'lab.test:5070',
        label: 'Lab',
        displayName: 'Alice A.',
        authUser: 'alice-auth',
        proxy: '127.0.0.1:5080',
        transport: 'udp',
        expires: '120',
        iceMode: 'off',
        stun: 'stun.example.com stun:192.0.2.1:3478',
        turnUri: 'turn.example.com:3478?transport=tcp',
        turnUsername: 'tu',
        turnPassword: 'tp',
        portsFrom: '20000',
        portsTo: '20100',
      }),
      { mode: 'new', discoveredTransport: 'tls' },
    );
    expect(checked.ok && checked.input).toMatchObject({
      label: 'Lab',
      aor: 'sip:alice@lab.test:5070',
      domain: 'lab.test:5070',
      displayName: 'Alice A.',
      authUser: 'alice-auth',
      outboundProxy: 'sip:127.0.0.1:5080',
      transport: 'udp',
      registerExpiresSec: 120,
      iceMode: 'off',
      stunServers: ['stun:stun.example.com', 'stun:192.0.2.1:3478'],
      turnServers: [{ uri: 'turn:turn.example.com:3478?transport=tcp', username: 'tu', password: 'tp' }],
      mediaPorts: { min: 20000, max: 20100 },
    });
  });

  it('says what is wrong, at the field', () => {
    const checked = checkAccountForm(
      form({
        extension: 'al ice',
        domain: '',
        expires: '5',
        portsFrom: '30000',
        portsTo: '20000',
        stun: 'not a server!',
        turnUsername: 'u',
        proxy: 'has space',
      }),
      { mode: 'new' },
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.fromEntries(Object.entries(checked.errors).map(([k, m]) => [k, words(m ?? null)]))).toEqual(
      {
        extension: 'Enter the extension without spaces, “@” or “:”.',
        domain: 'Enter the SIP domain.',
        password: 'Enter the password.',
        expires: 'Enter a number of seconds from 30 to 86400.',
        portsTo: 'The first port must not be above the last one.',
        turnUri: 'Enter the TURN server these credentials are for.',
        proxy: 'Enter the proxy as host, host:port or a sip: address.',
        stun: '“stun:server!” is not a STUN server (stun:host or stun:host:port).',
      },
    );
    const bad = checkAccountForm(
      form({ extension: 'a', password: 'p', domain: 'bad domain', stun: 'stun:a b', proxy: 'sip:has space' }),
      { mode: 'new' },
    );
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(['domain', 'proxy']);
  });

  it('edits an account: the form shows it, an empty password keeps the stored one', () => {
    const account = accountSnapshot({
      id: 'acc-1',
      aor: 'sip:1001@pbx.example.com',
      outboundProxy: 'sip:proxy.example.com;lr',
      transport: 'tls',
      turnServers: [{ uri: 'turn:turn.example.com:3478', username: 'tu', hasPassword: true }],
      mediaPorts: { min: 30000, max: 30010 },
      codecs: ['PCMA'],
      dtmfMode: 'info',
    });
    const shown = accountFormOf(account);
    expect(shown).toMatchObject({
      extension: '1001',
      domain: 'pbx.example.com',
      password: '',
      proxy: 'sip:proxy.example.com;lr',
      transport: 'tls',
      turnUri: 'turn:turn.example.com:3478',
      portsFrom: '30000',
    });
    const checked = checkAccountForm(shown, { mode: 'edit', existing: account });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.input).not.toHaveProperty('password');
    expect(checked.input.turnServers).toEqual([{ uri: 'turn:turn.example.com:3478', username: 'tu' }]);
    expect(checked.input).toMatchObject({
      codecs: ['PCMA'],
      dtmfMode: 'info',
      outboundProxy: 'sip:proxy.example.com;lr',
    });
    // a new TURN user means the stored password no longer applies
    const changed = checkAccountForm(
      { ...shown, turnUsername: 'other' },
      { mode: 'edit', existing: account },
    );
    expect(changed.ok && changed.input.turnServers).toEqual([
      { uri: 'turn:turn.example.com:3478', username: 'other', password: null },
    ]);
  });

  it('reads addresses of record and proxies', () => {
    expect(aorParts('sip:1001@pbx.example.com')).toEqual({ user: '1001', domain: 'pbx.example.com' });
    expect(aorParts('sips:a%20b@x')).toEqual({ user: 'a b', domain: 'x' });
    expect(proxyUriOf('  ')).toBeNull();
    expect(proxyUriOf('proxy.example.com:5070')).toBe('sip:proxy.example.com:5070');
    expect(proxyUriOf('sips:proxy.example.com;lr')).toBe('sips:proxy.example.com;lr');
  });
});

describe('registration in plain words', () => {
  const failed = (
    reason: {
      kind: 'auth' | 'credentials' | 'rejected' | 'timeout' | 'transport' | 'no-target' | 'config';
      code?: number;
      text: string;
    },
    fields = {},
  ) =>
    accountSnapshot({
      id: 'a',
      domain: 'lab.test',
      registration: {
        state: 'failed',
        reason,
        registrar: 'sip:lab.test;transport=udp',
        transport: 'udp',
        ...fields,
      },
    });

  it('says why it failed, with the status that decided it', () => {
    expect(words(failureMessageOf(failed({ kind: 'auth', code: 403, text: 'Forbidden' })))).toBe(
      'The password was not accepted (403 Forbidden).',
    );
    expect(words(failureMessageOf(failed({ kind: 'auth', code: 401, text: 'Unauthorized' })))).toBe(
      'The user name or password was not accepted (401 Unauthorized).',
    );
    expect(
      words(
        failureMessageOf(
          failed({ kind: 'timeout', text: 'No answer from sip:lab.test;transport=udp over udp' }),
        ),
      ),
    ).toBe('No answer from lab.test over UDP — check the domain or try TCP.');
    expect(
      words(
        failureMessageOf(
          failed(
            { kind: 'timeout', text: 'x' },
            { transport: 'tcp', registrar: 'sip:127.0.0.1:5070;transport=tcp' },
          ),
        ),
      ),
    ).toBe('No answer from 127.0.0.1:5070 over TCP — check the domain and the port.');
    expect(words(failureMessageOf(failed({ kind: 'rejected', code: 404, text: 'Not Found' })))).toBe(
      'The server does not know this extension (404 Not Found).',
    );
    expect(
      words(failureMessageOf(failed({ kind: 'rejected', code: 503, text: 'Service Unavailable' }))),
    ).toBe('The server has a problem (503 Service Unavailable); the phone tries again.');
    expect(
      words(failureMessageOf(failed({ kind: 'rejected', code: 488, text: 'Not Acceptable Here' }))),
    ).toBe('The server refused the registration (488 Not Acceptable Here).');
    expect(words(failureMessageOf(failed({ kind: 'no-target', text: 'x' })))).toBe(
      'lab.test was not found — check the domain.',
    );
    expect(
      words(
        failureMessageOf(
          failed(
            { kind: 'transport', text: 'connection refused' },
            { transport: 'tls', registrar: 'sips:pbx.example.com' },
          ),
        ),
      ),
    ).toBe('Could not connect to pbx.example.com over TLS: connection refused');
    expect(words(failureMessageOf(failed({ kind: 'credentials', text: 'x' })))).toBe(
      'The saved password cannot be used on this computer: enter it again.',
    );
    expect(failureMessageOf(accountSnapshot({ id: 'a', registration: registered() }))).toBeNull();
  });

  it('says what happens next, and shows the pill', () => {
    const waiting = failed({ kind: 'auth', code: 403, text: 'Forbidden' });
    expect(words(nextStepOf(waiting.registration, FAKE_ACCOUNTS_NOW))).toBe(
      'The phone waits for you: fix the settings, then register again.',
    );
    const retrying = failed({ kind: 'timeout', text: 'x' }, { nextRetryAt: FAKE_ACCOUNTS_NOW + 61_500 });
    expect(words(nextStepOf(retrying.registration, FAKE_ACCOUNTS_NOW))).toBe(
      'The phone tries again in 1:02.',
    );
    expect(nextStepOf(registered() as never, FAKE_ACCOUNTS_NOW)).toBeNull();
    expect(pillStateOf(waiting)).toBe('failed');
    expect(pillStateOf({ ...waiting, enabled: false })).toBe('disabled');
    expect(['registered', 'registering', 'failed', 'disabled'].map((s) => pillToneOf(s as never))).toEqual([
      'ok',
      'busy',
      'bad',
      'idle',
    ]);
    expect(hostOfUri('sip:[2001:db8::1]:5060;transport=tcp')).toBe('[2001:db8::1]:5060');
    expect(registrarHostOf(accountSnapshot({ id: 'a', domain: 'x.example' }))).toBe('x.example');
  });
});

describe('account form: media encryption (SRTP)', () => {
  const base = { extension: '1001', password: 'pw', domain: 'pbx.example.com' };
  const srtpOf = (fields: Partial<AccountForm>, discoveredTransport?: 'udp' | 'tls') => {
    const checked = checkAccountForm(form({ ...base, ...fields }), {
      mode: 'new',
      ...(discoveredTransport !== undefined && { discoveredTransport }),
    });
    return checked.ok ? checked.input.srtp : null;
  };

  it('automatic means optional over TLS and off otherwise; a choice is kept', () => {
    expect(EMPTY_ACCOUNT_FORM.srtp).toBe('auto');
    expect(srtpOf({ transport: 'tls' })).toBe('optional');
    expect(srtpOf({ transport: 'udp' })).toBe('off');
    expect(srtpOf({ transport: 'auto' }, 'tls')).toBe('optional');
    expect(srtpOf({ transport: 'auto' }, 'udp')).toBe('off');
    expect(srtpOf({ transport: 'tls', srtp: 'required' })).toBe('required');
    expect(srtpOf({ transport: 'tls', srtp: 'off' })).toBe('off');
    expect(srtpOf({ transport: 'udp', srtp: 'optional' })).toBe('optional');
  });

  it('editing shows the stored mode', () => {
    const account = accountSnapshot({ id: 'acc-1', transport: 'tls', srtp: 'required' });
    expect(accountFormOf(account).srtp).toBe('required');
  });

  it('warns when SRTP is on and the transport is not TLS', () => {
    expect(srtpKeysExposedIn({ srtp: 'optional', transport: 'udp' })).toBe(true);
    expect(srtpKeysExposedIn({ srtp: 'required', transport: 'tcp' })).toBe(true);
    expect(srtpKeysExposedIn({ srtp: 'required', transport: 'auto' })).toBe(true);
    expect(srtpKeysExposedIn({ srtp: 'required', transport: 'tls' })).toBe(false);
    expect(srtpKeysExposedIn({ srtp: 'off', transport: 'udp' })).toBe(false);
    expect(srtpKeysExposedIn({ srtp: 'auto', transport: 'udp' })).toBe(false);
  });
});
