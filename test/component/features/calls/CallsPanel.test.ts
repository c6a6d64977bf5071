import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import PhoneView from '../../../../src-renderer/src/features/phone/PhoneView.vue';
import {
  CALL_AUDIO,
  type CallAudioController,
  type CallAudioStatus,
} from '../../../../src-renderer/src/audio/index.ts';
import {
  CALL_ENDED_LINGER_MS,
  useAccountsStore,
  useCallsStore,
} from '../../../../src-renderer/src/stores/index.ts';
import { createTestRenderer, type TestRenderer } from '../../support/renderer.ts';
import { accountSnapshot, registered } from '../../support/fake-accounts.ts';
import { FAKE_CALLS_NOW } from '../../support/fake-calls.ts';
import { historyEntry } from '../../support/fake-history.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
  vi.useRealTimers();
});

/** A call audio controller that reports what the test says. */
function fakeCallAudio(initial: CallAudioStatus) {
  const listeners = new Set<(status: CallAudioStatus) => void>();
  const controller = {
    status: initial,
    onStatus(listener: (status: CallAudioStatus) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    controller: controller as unknown as CallAudioController,
    set(status: CallAudioStatus) {
      controller.status = status;
      for (const l of listeners) l(status);
    },
    listeners,
  };
}

async function mountPhone(r: TestRenderer, provide: Record<symbol, unknown> = {}) {
  r.bridge.accounts.seed(accountSnapshot({ id: 'acc-1', label: 'Office', registration: registered() }));
  await useAccountsStore(r.pinia).start();
  await useCallsStore(r.pinia).start();
  await r.router.push('/');
  wrapper = mount(PhoneView, {
    global: { ...r.global, provide: { ...r.global.provide, ...provide } },
    attachTo: document.body,
  });
  await flushPromises();
  return wrapper;
}

async function dial(w: VueWrapper, number: string) {
  await w.get('[data-testid="dial-number"]').setValue(number);
  await w.get('[data-testid="call-button"]').trigger('click');
  await flushPromises();
}

const state = (w: VueWrapper) => w.get('[data-testid="call-state"]').text();

describe('the call view', () => {
  it('places a call from the dial pad and follows it: state, timer, who, quality and path', async () => {
    vi.useFakeTimers({
      now: FAKE_CALLS_NOW,
      toFake: ['Date', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    const r = createTestRenderer();
    const w = await mountPhone(r);
    expect(w.get('.phone-account-value').text()).toContain('Office');
    await dial(w, '2000');
    expect(r.bridge.callsOf('calls.dial')).toEqual([{ target: '2000' }]);
    expect(w.find('[data-testid="dial-number"]').exists()).toBe(false);
    expect(w.get('[data-testid="call-remote"]').text()).toBe('2000');
    expect(state(w)).toBe('Calling…');
    expect(w.text()).toContain('On Office');

    r.bridge.phoneCalls.update('call-1', { state: 'ringing' });
    await flushPromises();
    expect(state(w)).toBe('Ringing…');
    // main matched the number to a contact when it wrote the call's row
    r.bridge.history.record(
      historyEntry({ id: 'call-1', direction: 'outgoing', contact: { id: 'c1', name: 'Bob Brown' } }),
    );
    await flushPromises();
    expect(w.get('[data-testid="call-remote"]').text()).toBe('Bob Brown');
    expect(w.get('.calls-current-address').text()).toBe('2000');

    r.bridge.phoneCalls.update('call-1', {
      state: 'active',
      answeredAt: FAKE_CALLS_NOW + 4000,
      codec: 'PCMU',
      stats: { packetsSent: 250, packetsReceived: 248, lossPct: 0.8, jitterMs: 2.25, rttMs: 38, mos: 4.2 },
      media: {
        path: 'relayed',
        local: '192.168.1.20:16384',
        remote: '198.51.100.7:50000',
        transport: 'ice',
        ice: {
          state: 'connected',
          role: 'controlling',
          policy: 'all',
          selected: {
            local: { type: 'relay', address: '198.51.100.7:50000' },
            remote: { type: 'srflx', address: '203.0.113.9:41000' },
            transport: 'udp',
            rttMs: 30,
          },
          connectMs: 90,
          restarts: 0,
        },
      },
    });
    vi.advanceTimersByTime(65_000);
    await flushPromises();
    expect(state(w)).toBe('Connected');
    expect(w.get('[data-testid="call-timer"]').text()).toBe('Duration 1:01');
    expect(w.get('[data-testid="packets-sent"]').text()).toBe('250');
    expect(w.get('[data-testid="packets-received"]').text()).toBe('248');
    expect(w.get('[data-testid="call-mos"]').text()).toBe('4.2 — Good');
    expect(w.get('[data-testid="call-path"]').attributes('data-path')).toBe('relayed');
    expect(w.get('[data-testid="call-path"]').text()).toContain('Through a relay');
    expect(w.get('[data-testid="call-ice-pair"]').text()).toBe(
      '198.51.100.7:50000 (relay (TURN)) ⇄ 203.0.113.9:41000 (public (STUN))',
    );
    expect(
      w
        .get('[data-testid="call-quality"]')
        .findAll('dd')
        .map((d) => d.text()),
    ).toEqual(['PCMU', '38 ms', '0.8 %', '2.3 ms', '4.2 — Good', 'sent 250 · received 248']);

    // the ICE session looks for a new path
    r.bridge.phoneCalls.update('call-1', {
      media: {
        path: 'relayed',
        local: null,
        remote: null,
        transport: 'ice',
        ice: {
          state: 'restarting',
          role: 'controlling',
          policy: 'all',
          selected: null,
          connectMs: null,
          restarts: 1,
        },
      },
    });
    await flushPromises();
    expect(w.get('[data-testid="call-ice-state"]').text()).toBe('Looking for a new audio path…');

    r.bridge.phoneCalls.now = FAKE_CALLS_NOW + 65_000;
    await w.get('[data-testid="call-hangup"]').trigger('click');
    await flushPromises();
    expect(state(w)).toBe('Call ended — You hung up');
    expect(w.get('[data-testid="call-timer"]').text()).toBe('Duration 1:01');
    vi.advanceTimersByTime(CALL_ENDED_LINGER_MS);
    await flushPromises();
    expect(w.find('[data-testid="call-view"]').exists()).toBe(false);
    expect(w.get('[data-testid="dial-number"]').element.getAttribute('value') ?? '').toBe('');
  });

  it('mutes, holds and resumes, sends DTMF from the keypad and the keyboard, transfers blind', async () => {
    const r = createTestRenderer();
    const w = await mountPhone(r);
    await dial(w, 'sip:bob@lab.test');
    r.bridge.phoneCalls.update('call-1', { state: 'active', answeredAt: FAKE_CALLS_NOW });
    await flushPromises();

    const mute = w.get('[data-testid="call-mute"]');
    expect(mute.attributes('aria-pressed')).toBe('false');
    expect(mute.attributes('aria-keyshortcuts')).toBe('Alt+M');
    await mute.trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('calls.mute')).toEqual([{ callId: 'call-1', muted: true }]);
    expect(mute.attributes('aria-pressed')).toBe('true');

    await w.get('[data-testid="call-keypad"]').trigger('click');
    expect(w.get('[data-testid="call-keypad"]').attributes('aria-expanded')).toBe('true');
    await w.get('button[aria-label="Send 5"]').trigger('click');
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '#', bubbles: true, cancelable: true }));
    // typed into a text field: not DTMF
    const field = document.createElement('input');
    document.body.append(field);
    field.dispatchEvent(new KeyboardEvent('keydown', { key: '9', bubbles: true, cancelable: true }));
    field.remove();
    await flushPromises();
    expect(r.bridge.phoneCalls.dtmf.get('call-1')).toBe('5#');
    expect(w.get('[data-testid="dtmf-sent"]').text()).toBe('5#');
    r.bridge.phoneCalls.update('call-1', { dtmfReceived: '42' });
    await flushPromises();
    expect(w.get('[data-testid="dtmf-received"]').text()).toBe('42');

    const hold = w.get('[data-testid="call-hold"]');
    await hold.trigger('click');
    await flushPromises();
    expect(state(w)).toBe('On hold');
    expect(hold.text()).toBe('Resume');
    expect(hold.attributes('aria-pressed')).toBe('true');
    // DTMF only while talking
    expect(w.get('button[aria-label="Send 5"]').attributes('disabled')).toBeDefined();
    await hold.trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('calls.resume')).toEqual([{ callId: 'call-1' }]);
    expect(state(w)).toBe('Connected');

    await w.get('[data-testid="call-transfer-open"]').trigger('click');
    expect(w.get('[data-testid="call-transfer-open"]').attributes('aria-expanded')).toBe('true');
    // the panel is a named group: its Transfer button is told apart from the one that opened it
    const panel = w.get('[role="group"][aria-label="Transfer the call"]');
    expect(panel.findAll('button').map((b) => b.text())).toEqual(['Transfer']);
    const target = w.findAll('label').find((l) => l.text() === 'Transfer to')!;
    await w.get(`#${target.attributes('for')}`).setValue('+1 (415) 555-2671');
    await w.get('.calls-transfer form').trigger('submit');
    await flushPromises();
    expect(r.bridge.callsOf('calls.transfer')).toEqual([{ callId: 'call-1', target: '+14155552671' }]);
    expect(w.get('[data-testid="call-transfer"]').text()).toBe('Transferring to +14155552671…');
  });

  it('holds the first call for a second one, switches between them, and connects them (attended transfer)', async () => {
    const r = createTestRenderer();
    const w = await mountPhone(r);
    await dial(w, '2000');
    r.bridge.phoneCalls.update('call-1', { state: 'active', answeredAt: FAKE_CALLS_NOW });
    await flushPromises();

    await w.get('[data-testid="call-add"]').trigger('click');
    expect(w.find('[data-testid="call-view"]').exists()).toBe(false);
    expect(w.get('[data-testid="back-to-call"]').text()).toBe('Back to the call');
    r.bridge.phoneCalls.now = FAKE_CALLS_NOW + 1000;
    await dial(w, '3000');
    r.bridge.phoneCalls.update('call-2', { state: 'active', answeredAt: FAKE_CALLS_NOW + 2000 });
    await flushPromises();
    expect(w.get('[data-testid="call-remote"]').text()).toBe('3000');
    const list = () => w.get('.calls-list').findAll('button');
    expect(
      list().map((b) => [
        b.get('.calls-list-name').text(),
        b.get('.calls-list-state').text(),
        b.attributes('aria-current') ?? null,
      ]),
    ).toEqual([
      ['2000', 'On hold', null],
      ['3000', 'Connected', 'true'],
    ]);

    // picking the held call resumes it; the phone holds the other
    await list()[0]!.trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('calls.resume')).toEqual([{ callId: 'call-1' }]);
    expect(w.get('[data-testid="call-remote"]').text()).toBe('2000');
    expect(list().map((b) => b.get('.calls-list-state').text())).toEqual(['Connected', 'On hold']);

    await w.get('[data-testid="call-transfer-open"]').trigger('click');
    const select = w.get<HTMLSelectElement>('.calls-transfer select');
    expect(select.findAll('option').map((o) => o.text())).toEqual(['3000']);
    await w
      .findAll('.calls-transfer button')
      .find((b) => b.text() === 'Connect them')!
      .trigger('click');
    await flushPromises();
    expect(r.bridge.callsOf('calls.transfer')).toEqual([{ callId: 'call-1', replacesCallId: 'call-2' }]);
  });

  it('says what is wrong with the microphone, and when a command failed', async () => {
    const r = createTestRenderer();
    const audio = fakeCallAudio({ state: 'starting' });
    const w = await mountPhone(r, { [CALL_AUDIO as symbol]: audio.controller });
    await dial(w, '2000');
    expect(w.get('[data-testid="call-audio-starting"]').text()).toBe(
      'Opening the microphone — allow it if the system asks.',
    );
    audio.set({ state: 'failed', failure: 'permission-denied', message: 'NotAllowedError' });
    await flushPromises();
    expect(w.get('[data-testid="call-audio-problem"]').text()).toBe(
      'The microphone may not be used: allow it in the system settings. The other side cannot hear you.',
    );
    audio.set({ state: 'failed', failure: 'device-busy', message: 'Could not start audio source' });
    await flushPromises();
    expect(w.get('[data-testid="call-audio-problem"]').text()).toContain('Could not start audio source');
    audio.set({ state: 'running', routedCallId: 'call-1', suspended: false });
    await flushPromises();
    expect(w.find('[data-testid="call-audio-problem"]').exists()).toBe(false);

    r.bridge.fail('calls.hold', { code: 'conflict', message: 'The call cannot be held now.' });
    r.bridge.phoneCalls.update('call-1', { state: 'active', answeredAt: FAKE_CALLS_NOW });
    await flushPromises();
    await w.get('[data-testid="call-hold"]').trigger('click');
    await flushPromises();
    expect(w.get('[role="alert"]').text()).toBe('That did not work: The call cannot be held now.');
    wrapper?.unmount();
    wrapper = undefined;
    expect(audio.listeners.size).toBe(0);
  });

  it('says why a call was not placed and where to fix it', async () => {
    const r = createTestRenderer();
    r.bridge.fail('calls.dial', {
      code: 'unavailable',
      message: 'No account is ready to call from; add or register one first.',
    });
    const w = await mountPhone(r);
    await dial(w, '2000');
    const failure = w.get('[data-testid="dial-failure"]');
    expect(failure.text()).toContain(
      'The call was not placed: No account is ready to call from; add or register one first.',
    );
    expect(failure.get('a').attributes('href')).toBe('/accounts');
    expect(w.get<HTMLInputElement>('[data-testid="dial-number"]').element.value).toBe('2000');
  });
});
