import { describe, expect, it } from 'vitest';
import {
  addressKindOf,
  dialStringOfUri,
  displayAddressOfUri,
  isAnonymousUri,
} from '../../../src-renderer/src/address/index.ts';

describe('remote party addresses', () => {
  it('dials numbers as numbers and SIP addresses as URIs', () => {
    expect(dialStringOfUri('sip:+4930123456@pbx.example;user=phone')).toBe('+4930123456');
    expect(dialStringOfUri('sip:1000@192.0.2.1:5060')).toBe('1000');
    expect(dialStringOfUri('tel:+1-415-555-2671')).toBe('+14155552671');
    expect(dialStringOfUri('sip:%2B4930123@pbx')).toBe('+4930123');
    expect(dialStringOfUri('sip:alice@example.com')).toBe('sip:alice@example.com');
    expect(dialStringOfUri('sip:anonymous@anonymous.invalid')).toBe('');
    expect(dialStringOfUri('sip:pbx.example')).toBe('sip:pbx.example');
  });
  it('shows numbers formatted and SIP addresses without scheme and parameters', () => {
    expect(displayAddressOfUri('sip:+14155552671@pbx;user=phone')).toBe('+1 415 555 2671');
    expect(displayAddressOfUri('sip:alice@example.com;transport=tcp')).toBe('alice@example.com');
    expect(displayAddressOfUri('sips:bob@secure.example')).toBe('sips:bob@secure.example');
    expect(displayAddressOfUri('tel:030-1234')).toBe('0301234');
    expect(displayAddressOfUri('urn:service:sos')).toBe('urn:service:sos');
  });
  it('recognises anonymous callers (RFC 3323) and the kind of an address', () => {
    expect(isAnonymousUri('sip:anonymous@example.com')).toBe(true);
    expect(isAnonymousUri('sip:unknown@anonymous.invalid')).toBe(true);
    expect(isAnonymousUri('sip:alice@example.com')).toBe(false);
    expect(addressKindOf('sip:alice@example.com')).toBe('sip');
    expect(addressKindOf('alice@example.com')).toBe('sip');
    expect(addressKindOf('+4930123')).toBe('tel');
  });
});
