import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../../../src-main/store/csv.ts';

describe('CSV (RFC 4180)', () => {
  it.each<[string | number | null, string]>([
    ['plain', 'plain'],
    [null, ''],
    [42, '42'],
    [-3.5, '-3.5'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['+49 30 1234', '+49 30 1234'],
    ['-', '-'],
    ['=1+1', "'=1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['+cmd|calc', "'+cmd|calc"],
    ['-2+3+cmd', "'-2+3+cmd"],
    ['=HYPERLINK("x","y")', `"'=HYPERLINK(""x"",""y"")"`],
  ])('%j → %j', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('ends records with CRLF', () => {
    expect(csvRecord(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });
});
