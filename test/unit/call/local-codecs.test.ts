/**
 * `localCodecsFor`: the settings' codec order (names as users and PBX admins write them) → the codecs we
 * offer, G.722 at its static payload type with its RTP clock rate (RFC 3551 §4.5.2: 8000).
 */
import { describe, expect, it } from 'vitest';
import { localCodecsFor } from '../../../src-main/call/index.ts';
import { DEFAULT_SETTINGS } from '../../../src-shared/model/settings.ts';

const G722 = { name: 'G722', clockRate: 8000, payloadType: 9 };
const PCMU = { name: 'PCMU', clockRate: 8000, payloadType: 0 };
const PCMA = { name: 'PCMA', clockRate: 8000, payloadType: 8 };

describe('localCodecsFor', () => {
  it('the default order (opus, G722, PCMU, PCMA) offers G.722 first; opus, which we lack, is skipped', () => {
    expect(DEFAULT_SETTINGS.calls.codecOrder).toEqual(['opus', 'G722', 'PCMU', 'PCMA']);
    expect(localCodecsFor(DEFAULT_SETTINGS.calls.codecOrder)).toEqual([G722, PCMU, PCMA]);
  });

  it('keeps the user\u2019s order, any case, and appends the codecs the list left out', () => {
    expect(localCodecsFor(['pcma', 'g722'])).toEqual([PCMA, G722, PCMU]);
    expect(localCodecsFor(['PCMU', 'PCMA'])).toEqual([PCMU, PCMA, G722]);
    expect(localCodecsFor(undefined)).toEqual([PCMU, PCMA, G722]);
  });
});
