import { describe, expect, it } from 'vitest';
import {
  caretAfter,
  cleanDialInput,
  countryCodeOf,
  evenGroupSizes,
  formatDialString,
  isSipLike,
  stripNumberFormatting,
} from '../../../src-renderer/src/address/index.ts';

describe('stripNumberFormatting / cleanDialInput', () => {
  it('keeps digits, * and # and a leading +', () => {
    expect(stripNumberFormatting('+1 (415) 555-2671')).toBe('+14155552671');
    expect(stripNumberFormatting('tel:+49-30-1234;phone-context=example.com')).toBe('+49301234');
    expect(stripNumberFormatting(' 030 / 1234 56 ')).toBe('030123456');
    expect(stripNumberFormatting('*21*0123#')).toBe('*21*0123#');
    expect(stripNumberFormatting('00 49 30 1234')).toBe('0049301234');
    expect(stripNumberFormatting('12+34')).toBe('1234');
    expect(stripNumberFormatting('++44 20')).toBe('+4420');
  });
  it('keeps SIP addresses as they are (trimmed, without angle brackets)', () => {
    expect(isSipLike('sip:alice@example.com')).toBe(true);
    expect(isSipLike('alice@example.com')).toBe(true);
    expect(isSipLike('1-800-FLOWERS')).toBe(true);
    expect(isSipLike('张三')).toBe(true);
    expect(isSipLike('tel:+1 415')).toBe(false);
    expect(isSipLike('+1 (415) 555')).toBe(false);
    expect(cleanDialInput('  <sip:bob@pbx.example;transport=tcp>\n')).toBe(
      'sip:bob@pbx.example;transport=tcp',
    );
    expect(cleanDialInput('Tel: +86 138-0013-8000')).toBe('+8613800138000');
  });
});

describe('formatDialString', () => {
  it('finds the country code by the E.164 assignment', () => {
    expect(countryCodeOf('14155552671')).toBe('1');
    expect(countryCodeOf('79123456789')).toBe('7');
    expect(countryCodeOf('4930123')).toBe('49');
    expect(countryCodeOf('8613800138000')).toBe('86');
    expect(countryCodeOf('35312345678')).toBe('353');
    expect(countryCodeOf('97141234567')).toBe('971');
  });
  it('groups international numbers the way they are written', () => {
    expect(formatDialString('+14155552671')).toBe('+1 415 555 2671');
    expect(formatDialString('+79123456789')).toBe('+7 912 345 67 89');
    expect(formatDialString('+33123456789')).toBe('+33 1 23 45 67 89');
    expect(formatDialString('+447911123456')).toBe('+44 7911 123456');
    expect(formatDialString('+442079460958')).toBe('+44 20 7946 0958');
    expect(formatDialString('+491701234567')).toBe('+49 170 1234567');
    expect(formatDialString('+8613800138000')).toBe('+86 138 0013 8000');
    expect(formatDialString('+861012345678')).toBe('+86 10 1234 5678');
    expect(formatDialString('+4930123456')).toBe('+49 3012 3456');
    expect(formatDialString('+35312345678')).toBe('+353 1234 5678');
  });
  it('groups while the number is typed', () => {
    expect(formatDialString('+')).toBe('+');
    expect(formatDialString('+1')).toBe('+1');
    expect(formatDialString('+141')).toBe('+1 41');
    expect(formatDialString('+14155')).toBe('+1 415 5');
    expect(formatDialString('+1415555267199')).toBe('+1 415 555 267199');
  });
  it('leaves national numbers, codes and SIP addresses alone', () => {
    expect(formatDialString('030123456')).toBe('030123456');
    expect(formatDialString('1000')).toBe('1000');
    expect(formatDialString('+49*21#')).toBe('+49*21#');
    expect(formatDialString('sip:+4930@pbx')).toBe('sip:+4930@pbx');
  });
  it('uses threes with a tail of fours otherwise', () => {
    expect([4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((n) => evenGroupSizes(n).join(' '))).toEqual([
      '4',
      '2 3',
      '3 3',
      '3 4',
      '4 4',
      '3 3 3',
      '3 3 4',
      '3 4 4',
      '3 3 3 3',
      '3 3 3 4',
    ]);
  });
});

describe('caretAfter', () => {
  it('skips the grouping spaces', () => {
    expect(caretAfter('+1 415 555', 0)).toBe(0);
    expect(caretAfter('+1 415 555', 2)).toBe(2);
    expect(caretAfter('+1 415 555', 3)).toBe(4);
    expect(caretAfter('+1 415 555', 6)).toBe(8);
    expect(caretAfter('+1 415 555', 99)).toBe(10);
  });
});
