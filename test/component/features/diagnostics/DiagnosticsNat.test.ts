import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import DiagnosticsNat from '../../../../src-renderer/src/features/diagnostics/DiagnosticsNat.vue';
import {
  detailStatementsOf,
  natCheckRequestOf,
  stunServersOf,
  verdictStatementOf,
  verdictToneOf,
  EMPTY_NAT_CHECK_FORM,
} from '../../../../src-renderer/src/features/diagnostics/index.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';
import { FAKE_NAT_STARTED_AT, fakeNatReport } from '../../support/fake-nat.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

async function mountNat(r: TestRenderer = createTestRenderer()) {
  wrapper = mount(DiagnosticsNat, { global: r.global, attachTo: document.body });
  await flushPromises();
  return { r, w: wrapper };
}

const field = (w: VueWrapper, label: string) => {
  const l = w.findAll('label').find((x) => x.text() === label);
  if (!l)
    throw new Error(
      `no label "${label}" in ${w
        .findAll('label')
        .map((x) => x.text())
        .join(' | ')}`,
    );
  return w.get<HTMLInputElement>(`#${CSS.escape(l.attributes('for') ?? '')}`);
};
const testid = (w: VueWrapper, id: string) => w.get(`[data-testid="${id}"]`).text();

describe('NAT check request', () => {
  it('is built from the advanced fields and checked with the contract', () => {
    expect(natCheckRequestOf(EMPTY_NAT_CHECK_FORM)).toEqual({ ok: true, request: { lifetime: true } });
    expect(stunServersOf(' stun.example.com:3478, stuns:secure.example.com\n127.0.0.1 ')).toEqual([
      'stun:stun.example.com:3478',
      'stuns:secure.example.com',
      'stun:127.0.0.1',
    ]);
    expect(
      natCheckRequestOf({
        domain: 'example.com.',
        stun: 'stun.example.com',
        turnUri: '127.0.0.1:3478?transport=tcp',
        turnUsername: ' alice ',
        turnPassword: 's3cret',
        lifetime: false,
      }),
    ).toEqual({
      ok: true,
      request: {
        lifetime: false,
        domain: 'example.com',
        stun: ['stun:stun.example.com'],
        turn: [{ uri: 'turn:127.0.0.1:3478?transport=tcp', username: 'alice', password: 's3cret' }],
      },
    });
  });

  it('names the field of each problem', () => {
    const check = natCheckRequestOf({
      ...EMPTY_NAT_CHECK_FORM,
      domain: 'exa mple',
      stun: 'stun:ok.example stun:bad!host',
      turnUri: 'turn:host?transport=sctp',
    });
    expect(check).toEqual({
      ok: false,
      errors: {
        domain: { key: 'diagnostics.nat.form.errors.domain' },
        stun: { key: 'diagnostics.nat.form.errors.stun', params: { value: 'stun:bad!host' } },
        turnUri: { key: 'diagnostics.nat.form.errors.turn' },
      },
    });
    expect(natCheckRequestOf({ ...EMPTY_NAT_CHECK_FORM, turnUsername: 'bob' })).toEqual({
      ok: false,
      errors: { turnUri: { key: 'diagnostics.nat.form.errors.turnMissing' } },
    });
  });
});

describe('NAT report presentation', () => {
  it('puts the verdict first and colours it', () => {
    const report = fakeNatReport();
    expect(verdictStatementOf(report)?.key).toBe('nat.verdict.directPossible');
    expect(detailStatementsOf(report).map((s) => s.key)).not.toContain('nat.verdict.directPossible');
    expect(verdictToneOf(report)).toBe('good');
    expect(verdictToneOf(fakeNatReport({ verdict: 'blocked' }))).toBe('bad');
    expect(verdictToneOf(fakeNatReport({ verdict: 'relay-required' }))).toBe('warning');
    expect(verdictToneOf(fakeNatReport({ verdict: 'unknown' }))).toBe('neutral');
  });
});

describe('DiagnosticsNat', () => {
  it('says the network was not checked yet, then runs a check with live steps and shows the report', async () => {
    const r = createTestRenderer();
    const { w } = await mountNat(r);
    expect(r.bridge.callsOf('diagnostics.lastReport')).toEqual([{}]);
    expect(testid(w, 'nat-no-report')).toBe('The network has not been checked yet.');
    const run = w.get('[data-testid="nat-run"]');
    expect(run.text()).toBe('Check the network');

    const held = r.bridge.hold('diagnostics.run');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(run.text()).toBe('Checking…');
    expect(run.attributes('disabled')).toBeDefined();
    r.bridge.emit('diagnostics.progress', {
      step: 'stun',
      detail: 'stun:stun.example.net:3478 answered in 23 ms',
    });
    await flushPromises();
    expect(w.findAll('.nat-progress-item').map((i) => i.text())).toEqual([
      'Testing STUNstun:stun.example.net:3478 answered in 23 ms',
    ]);
    expect(w.get('.nat-progress [role="status"]').text()).toBe('Testing STUN');
    held.release();
    await flushPromises();

    expect(r.bridge.callsOf('diagnostics.run')).toEqual([{ lifetime: true }]);
    expect(run.text()).toBe('Check again');
    expect(w.get('.nat-verdict-title').text()).toBe('Calls work directly with most people');
    expect(testid(w, 'nat-verdict-text')).toBe(
      'Direct calls work with most peers; calls to peers behind symmetric NATs will go through the TURN relay (turn:turn.example.net:3478?transport=udp).',
    );
    expect(w.get('.nat-verdict').classes()).toContain('nat-verdict-good');
    const explanation = w.findAll('[data-testid="nat-explanation"] li').map((li) => li.text());
    expect(explanation).toContain('Your public address is 203.0.113.7, port 40000.');
    expect(explanation).toContain(
      'Your router forgets an idle UDP binding after 30 to 60 s: keepalives must be sent at least every 24 s.',
    );
    expect(explanation).toContain('turn:turn.example.net:3478?transport=tcp: no answer after 3 tries');
  });

  it('lists the measurements and every server tested', async () => {
    const r = createTestRenderer();
    r.bridge.nat.lastReport = fakeNatReport();
    const { w } = await mountNat(r);
    expect(w.findAll('.nat-measurement').map((m) => [m.get('dt').text(), m.get('dd').text()])).toEqual([
      ['NAT type', 'Port-restricted cone'],
      ['Mapping', 'Endpoint-independent'],
      ['Filtering', 'Address- and port-dependent'],
      ['Public address', '203.0.113.7:40000'],
      ['Port kept', 'No'],
      ['Hairpinning', 'Yes'],
      ['Binding lifetime', '30 to 60 s'],
      ['SIP ALG', 'Not detected'],
      ['Local addresses', '192.168.1.20'],
      ['Tested with', 'stun:stun.example.net:3478'],
    ]);
    const rows = w
      .findAll('[data-testid="nat-servers"] tbody tr')
      .map((tr) => tr.findAll('th, td').map((c) => c.text()));
    expect(rows).toEqual([
      ['stun:stun.example.net:3478', 'STUN', 'UDP', 'Works', '23 ms', '203.0.113.7:40000', '—'],
      [
        'turn:turn.example.net:3478?transport=udp',
        'TURN',
        'UDP',
        'Works',
        '42 ms',
        '203.0.113.7:40002',
        '192.0.2.20:50123',
      ],
      [
        'turn:turn.example.net:3478?transport=tcp',
        'TURN',
        'TCP',
        'No answerno answer after 3 tries',
        '—',
        '—',
        '—',
      ],
    ]);
    expect(w.get('.nat-verdict-when').text()).toBe(
      `Checked ${new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' }).format(FAKE_NAT_STARTED_AT)}, took 4.3 s`,
    );
  });

  it('sends the advanced fields, and shows their problems at the field instead', async () => {
    const { r, w } = await mountNat();
    await w.get('summary').trigger('click');
    await field(w, 'SIP domain').setValue('not a domain');
    await field(w, 'TURN server').setValue('turn:turn.example.net:3478?transport=udp');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.findAll('.field-error').map((e) => e.text())).toEqual([
      'Enter a domain name such as example.com.',
    ]);
    expect(field(w, 'SIP domain').attributes('aria-invalid')).toBe('true');
    expect(r.bridge.callsOf('diagnostics.run')).toEqual([]);

    await field(w, 'SIP domain').setValue('example.net');
    await w.get('textarea').setValue('stun:127.0.0.1:3478');
    await field(w, 'TURN user name').setValue('alice');
    await field(w, 'TURN password').setValue('pw');
    await field(w, 'Measure how long the router keeps an idle connection open (up to a minute)').setValue(
      false,
    );
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(r.bridge.callsOf('diagnostics.run')).toEqual([
      {
        lifetime: false,
        domain: 'example.net',
        stun: ['stun:127.0.0.1:3478'],
        turn: [{ uri: 'turn:turn.example.net:3478?transport=udp', username: 'alice', password: 'pw' }],
      },
    ]);
  });

  it('shows a report the phone made by itself (after a network change) and why a run failed', async () => {
    const { r, w } = await mountNat();
    r.bridge.emit('diagnostics.report', fakeNatReport({ verdict: 'blocked', explanation: [] }));
    await flushPromises();
    expect(w.get('.nat-verdict-title').text()).toBe('Calls will have no audio from this network');
    r.bridge.fail('diagnostics.run', {
      code: 'conflict',
      message: 'A NAT check is already running; wait for its report.',
    });
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toBe(
      'The check did not finish: A NAT check is already running; wait for its report.',
    );
  });

  it('speaks Chinese, from the phone’s statement keys', async () => {
    const r = createTestRenderer({ language: 'zh-CN' });
    r.bridge.nat.lastReport = fakeNatReport();
    const { w } = await mountNat(r);
    expect(w.get('.nat-verdict-title').text()).toBe('与大多数人的通话可以直接连通');
    expect(testid(w, 'nat-verdict-text')).toBe(
      '与大多数对方可以直接通话；与位于对称型 NAT 之后的对方通话将经由 TURN 中继（turn:turn.example.net:3478?transport=udp）。',
    );
    expect(w.findAll('[data-testid="nat-explanation"] li')[0]?.text()).toBe(
      '您位于端口受限锥形 NAT 之后：它只允许来自您发送过数据的确切地址和端口的数据包进入。',
    );
  });
});
