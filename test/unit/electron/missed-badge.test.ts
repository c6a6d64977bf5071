import { describe, expect, it, vi } from 'vitest';
import { MissedCallBadge, missedCallBadge } from '../../../src-main/electron/missed-badge.ts';

describe('missedCallBadge', () => {
  it.each([
    ['darwin', 3, { appBadge: 3, overlay: null }],
    ['darwin', 0, { appBadge: 0, overlay: null }],
    ['linux', 12, { appBadge: 12, overlay: null }],
    ['win32', 1, { appBadge: null, overlay: { show: true, description: '1 missed call' } }],
    ['win32', 5, { appBadge: null, overlay: { show: true, description: '5 missed calls' } }],
    ['win32', 0, { appBadge: null, overlay: { show: false, description: '' } }],
    ['freebsd', 2, { appBadge: null, overlay: null }],
  ])('%s with %d', (platform, count, plan) => {
    expect(missedCallBadge(count, platform)).toEqual(plan);
  });
});

describe('MissedCallBadge', () => {
  function host(platform: string) {
    const image = { overlay: true };
    return {
      platform,
      setBadgeCount: vi.fn(() => true),
      setOverlayIcon: vi.fn(),
      overlayImage: vi.fn(() => image as never),
      image,
    };
  }

  it('sets the app badge on macOS and Linux, and clears it at 0', () => {
    const h = host('linux');
    const badge = new MissedCallBadge(h);
    badge.show(2);
    badge.show(2); // unchanged: not set again
    badge.show(0);
    expect(h.setBadgeCount.mock.calls).toEqual([[2], [0]]);
    expect(h.setOverlayIcon).not.toHaveBeenCalled();
  });

  it('puts a described overlay on the Windows taskbar button, and removes it at 0', () => {
    const h = host('win32');
    const badge = new MissedCallBadge(h);
    badge.show(3);
    badge.show(0);
    expect(h.setOverlayIcon.mock.calls).toEqual([
      [h.image, '3 missed calls'],
      [null, ''],
    ]);
    expect(h.setBadgeCount).not.toHaveBeenCalled();
  });
});
