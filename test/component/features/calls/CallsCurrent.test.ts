import { afterEach, describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import CallsCurrent from '../../../../src-renderer/src/features/calls/CallsCurrent.vue';
import { encryptionOf } from '../../../../src-renderer/src/features/calls/call-view.ts';
import { createTestRenderer } from '../../support/renderer.ts';
import { FAKE_CALLS_NOW, callSnapshot } from '../../support/fake-calls.ts';
import type { CallSnapshot } from '../../../../src-shared/model/call.ts';

let wrapper: VueWrapper | undefined;
afterEach(() => {
  wrapper?.unmount();
  wrapper = undefined;
});

const encrypted: CallSnapshot['media'] = {
  path: 'direct',
  local: '192.0.2.10:40000',
  remote: '198.51.100.7:30000',
  encryption: 'srtp',
  srtpSuite: 'AES_CM_128_HMAC_SHA1_80',
};

function show(media: CallSnapshot['media'], language: 'en' | 'zh-CN' = 'en') {
  const r = createTestRenderer({ language });
  wrapper = mount(CallsCurrent, {
    global: r.global,
    props: {
      call: callSnapshot({ id: 'c1', state: 'active', answeredAt: FAKE_CALLS_NOW, media }),
      contactName: null,
      accountLabel: null,
      now: FAKE_CALLS_NOW + 5000,
    },
  });
  return wrapper;
}

describe('the call view shows encryption', () => {
  it('a lock and “Encrypted (SRTP)” while the audio is SRTP, the suite on hover', () => {
    const w = show(encrypted);
    const badge = w.get('[data-testid="call-encryption"]');
    expect(badge.text()).toBe('Encrypted (SRTP)');
    expect(badge.attributes('title')).toBe('The audio is encrypted with AES_CM_128_HMAC_SHA1_80.');
    expect(badge.find('svg.ui-icon').exists()).toBe(true);
  });

  it('in Chinese too', () => {
    expect(show(encrypted, 'zh-CN').get('[data-testid="call-encryption"]').text()).toBe('已加密（SRTP）');
  });

  it('nothing for plain RTP, nor for a snapshot from before SRTP existed', () => {
    expect(
      show({ ...encrypted, encryption: 'none', srtpSuite: null })
        .find('[data-testid="call-encryption"]')
        .exists(),
    ).toBe(false);
    wrapper?.unmount();
    expect(
      show({ path: 'direct', local: null, remote: null }).find('[data-testid="call-encryption"]').exists(),
    ).toBe(false);
    expect(encryptionOf({ path: 'unknown', local: null, remote: null })).toBeNull();
    expect(encryptionOf(encrypted)).toEqual({ suite: 'AES_CM_128_HMAC_SHA1_80' });
  });
});
