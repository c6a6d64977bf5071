import { describe, expect, it } from 'vitest';
import {
  addressKeys,
  foldForSearch,
  ftsPrefixQuery,
  isNumberQuery,
  numberKey,
  numberPrefixRanges,
  parsePartyAddress,
  uriKey,
} from '../../../src-main/store/address-keys.ts';

describe('address keys', () => {
  it.each<[string, string | null, string | null]>([
    ['sip:1000@pbx.local', '1000', '1000@pbx.local'],
    ['sips:Alice@Example.COM:5061;transport=tls', null, 'alice@example.com'],
    [
      'sip:+1-212-555-0100;phone-context=x@gw.example;user=phone',
      '+12125550100',
      '+1-212-555-0100@gw.example',
    ],
    ['sip:%2B4930123@gw.example', '+4930123', '+4930123@gw.example'],
    ['sip:alice:secret@example.com', null, 'alice@example.com'],
    ['"Bob" <sip:bob@[2001:db8::1]:5060>', null, 'bob@[2001:db8::1]'],
    ['tel:+49-30-1234567;ext=12', '+49301234567', null],
    ['+49 (0)30 1234-567', '+49301234567', null],
    ['alice@example.com', null, 'alice@example.com'],
    ['sip:pbx.example.com', null, null],
    ['sip:alice2@example.com', null, 'alice2@example.com'],
    ['', null, null],
  ])('%s → number %s, uri %s', (address, number, uri) => {
    expect(numberKey(address)).toBe(number);
    expect(uriKey(address)).toBe(uri);
  });

  it('treats tel address-book entries as numbers whatever their text', () => {
    expect(addressKeys('tel', 'ext. 1000')).toEqual({ numberKey: '1000', uriKey: null });
    expect(addressKeys('sip', 'sip:1000@x')).toEqual({ numberKey: '1000', uriKey: '1000@x' });
  });

  it('parses party addresses', () => {
    expect(parsePartyAddress('<sips:carol@chicago.com;transport=tcp>')).toEqual({
      scheme: 'sips',
      user: 'carol',
      host: 'chicago.com',
    });
    expect(parsePartyAddress('12345')).toEqual({ scheme: 'none', user: '12345', host: '' });
  });

  it('recognizes number queries and builds prefix ranges that also match international keys', () => {
    expect(isNumberQuery('+49 (30) 12-3')).toBe(true);
    expect(isNumberQuery('anna 2')).toBe(false);
    expect(isNumberQuery('()')).toBe(false);
    expect(numberPrefixRanges('030 12')).toEqual([
      ['03012', '03012~'],
      ['+03012', '+03012~'],
    ]);
    expect(numberPrefixRanges('+49 30')).toEqual([['+4930', '+4930~']]);
  });

  it('folds case and accents and quotes FTS words', () => {
    expect(foldForSearch('Ångström ØRSTED Straße Łódź')).toBe('angstrom orsted strasse lodz');
    expect(ftsPrefixQuery('Zoë  "d')).toBe('"zoe"* "d"*');
    expect(ftsPrefixQuery('-- ** ')).toBeNull();
  });
});
