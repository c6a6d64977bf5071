import { describe, expect, it, vi } from 'vitest';
import { dialTargetFromLink, findDialLinkInArgv, linkForLog } from '../../../src-main/electron/dial-link.ts';
import { DialLinkInbox, registerAsDialLinkHandler } from '../../../src-main/electron/dial-link-inbox.ts';

describe('dialTargetFromLink: accepted links', () => {
  it.each([
    ['sip:alice@example.com', 'sip:alice@example.com', 'sip'],
    ['SIP:Alice@Example.COM', 'sip:Alice@example.com', 'sip'],
    ['sip:alice@example.com?subject=x&priority=urgent', 'sip:alice@example.com', 'sip'],
    ['sip:alice@example.com;transport=tcp;maddr=203.0.113.9', 'sip:alice@example.com', 'sip'],
    ['sips:1001@pbx.lab.test:5061', 'sips:1001@pbx.lab.test:5061', 'sip'],
    ['sip:1001@[2001:db8::1]:5060', 'sip:1001@[2001:db8::1]:5060', 'sip'],
    ['sip:1001@192.0.2.10', 'sip:1001@192.0.2.10', 'sip'],
    ['sip:%61lice@example.com', 'sip:alice@example.com', 'sip'],
    ['sip:alice;day=tuesday@example.com', 'sip:alice;day=tuesday@example.com', 'sip'],
    ['sip:+1-555%20x@example.com', 'sip:+1-555%20x@example.com', 'sip'],
    ['sip://alice@example.com', 'sip:alice@example.com', 'sip'],
    ['tel:+1-555-0100', '+15550100', 'number'],
    ['tel:+1-555-0100;phone-context=example.com', '+15550100', 'number'],
    ['tel:7042;phone-context=example.com', '7042', 'number'],
    ['tel:+1 (555) 010.0100', '+15550100100', 'number'],
    ['tel:%2B49%2030%20123', '+4930123', 'number'],
    ['tel:*21#', '*21#', 'number'],
    ['tel:+15550100;ext=42', '+15550100', 'number'],
    ['callto://+15550100', '+15550100', 'number'],
    ['callto://+1-555-0100/', '+15550100', 'number'],
    ['callto:1001', '1001', 'number'],
    ['callto:alice@example.com', 'sip:alice@example.com', 'sip'],
  ])('%s → %s', (link, target, kind) => {
    expect(dialTargetFromLink(link)).toEqual({ ok: true, target, kind });
  });
});

describe('dialTargetFromLink: refused links', () => {
  it.each([
    ['https://example.com/', 'unsupported-scheme'],
    ['javascript:alert(1)', 'unsupported-scheme'],
    ['file:///etc/passwd', 'unsupported-scheme'],
    ['sipx:alice@example.com', 'unsupported-scheme'],
    ['alice@example.com', 'malformed'],
    ['', 'malformed'],
    ['sip:', 'malformed'],
    ['sip:example.com', 'missing-user'],
    ['sip:@example.com', 'missing-user'],
    ['sip:alice:secret@example.com', 'password-in-uri'],
    ['sip:alice@exa mple.com', 'malformed'],
    ['sip:alice@-bad-.com', 'bad-host'],
    ['sip:alice@example.com:0', 'bad-host'],
    ['sip:alice@example.com:70000', 'bad-host'],
    ['sip:alice@', 'bad-host'],
    ['sip:al"ice@example.com', 'malformed'],
    ['sip:alice@example.com\r\nVia: evil', 'control-characters'],
    ['sip:alice%0d%0aX@example.com', 'control-characters'],
    ['sip:alice@example.com?h=%0A', 'control-characters'],
    ['sip:%00@example.com', 'control-characters'],
    ['sip:\u202Emoc.elpmaxe@ecila', 'control-characters'],
    ['sip:ali%E2%80%8Bce@example.com', 'control-characters'],
    ['tel:+1\u0000555', 'control-characters'],
    ['tel:1-800-FLOWERS', 'bad-number'],
    ['tel:', 'bad-number'],
    ['tel:+', 'bad-number'],
    ['tel:+1*555', 'bad-number'],
    ['tel:%ZZ', 'malformed'],
    [`tel:+${'1'.repeat(33)}`, 'too-long'],
    ['callto:echo123', 'bad-number'],
    ['callto:alice:pw@example.com', 'password-in-uri'],
    [`sip:${'a'.repeat(129)}@example.com`, 'too-long'],
    [`sip:alice@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, 'bad-host'],
    [`sip:alice@example.com?${'x'.repeat(2100)}`, 'too-long'],
  ])('%s → %s', (link, reason) => {
    expect(dialTargetFromLink(link)).toEqual({ ok: false, reason });
  });

  it('never returns a target longer than 256 characters', () => {
    const result = dialTargetFromLink(
      `sip:${'a'.repeat(128)}@${Array.from({ length: 3 }, () => 'h'.repeat(60)).join('.')}.com`,
    );
    expect(result).toEqual({ ok: false, reason: 'too-long' });
  });
});

describe('findDialLinkInArgv', () => {
  it('finds the link a second instance or the OS passed, skipping the program and switches', () => {
    expect(findDialLinkInArgv(['/opt/Softphone/softphone', '--no-sandbox', 'sip:alice@example.com'])).toBe(
      'sip:alice@example.com',
    );
    expect(
      findDialLinkInArgv([
        'C:\\Softphone.exe',
        '--allow-file-access-from-files',
        'TEL:+15550100',
        'sip:second@x',
      ]),
    ).toBe('TEL:+15550100');
    expect(findDialLinkInArgv(['electron', '.', '--hidden'])).toBeUndefined();
    expect(findDialLinkInArgv(['sip:alice@example.com'])).toBeUndefined(); // argv[0] is the program
    expect(findDialLinkInArgv(['x', '--url=sip:alice@example.com', 'C:\\Users\\a'])).toBeUndefined();
  });
});

describe('linkForLog', () => {
  it('escapes control characters and bounds the length', () => {
    expect(linkForLog('sip:a\r\n@b')).toBe('sip:a\\u000d\\u000a@b');
    expect(linkForLog(`sip:${'x'.repeat(100)}`)).toBe(`sip:${'x'.repeat(76)}…`);
  });
});

describe('DialLinkInbox', () => {
  function receiver() {
    return { deliver: vi.fn(), warn: vi.fn() };
  }

  it('holds the newest link until opened, then delivers it once', () => {
    const inbox = new DialLinkInbox();
    inbox.receive('sip:first@example.com', 'open-url');
    inbox.receive('sip:second@example.com', 'open-url');
    const r = receiver();
    inbox.open(r);
    expect(r.deliver).toHaveBeenCalledExactlyOnceWith('sip:second@example.com', 'open-url');
  });

  it('a second instance argv with a link → exactly one dial request', () => {
    const inbox = new DialLinkInbox();
    const r = receiver();
    inbox.open(r);
    expect(
      inbox.receiveArgv(['/usr/bin/softphone', 'tel:+1-555-0100', 'tel:+1-555-0199'], 'second-instance'),
    ).toBe(true);
    expect(r.deliver).toHaveBeenCalledExactlyOnceWith('+15550100', 'second-instance');
    expect(inbox.receiveArgv(['/usr/bin/softphone', '--hidden'], 'second-instance')).toBe(false);
    expect(r.deliver).toHaveBeenCalledTimes(1);
  });

  it('refuses hostile links with a log line and delivers nothing', () => {
    const inbox = new DialLinkInbox();
    const r = receiver();
    inbox.open(r);
    inbox.receive('sip:alice%0d%0a@example.com', 'open-url');
    expect(r.deliver).not.toHaveBeenCalled();
    expect(r.warn).toHaveBeenCalledExactlyOnceWith(
      'refused a dial link from open-url (control-characters): sip:alice%0d%0a@example.com',
    );
  });

  it('stops delivering once closed', () => {
    const inbox = new DialLinkInbox();
    const r = receiver();
    inbox.open(r);
    inbox.close();
    inbox.receive('sip:alice@example.com', 'open-url');
    expect(r.deliver).not.toHaveBeenCalled();
  });
});

describe('registerAsDialLinkHandler', () => {
  it('registers every scheme in packaged builds only, and reports failures', () => {
    const dev = { isPackaged: false, setAsDefaultProtocolClient: vi.fn(() => true) };
    expect(registerAsDialLinkHandler(dev, vi.fn())).toEqual([]);
    expect(dev.setAsDefaultProtocolClient).not.toHaveBeenCalled();

    const warn = vi.fn();
    const packaged = { isPackaged: true, setAsDefaultProtocolClient: vi.fn((s: string) => s !== 'callto') };
    expect(registerAsDialLinkHandler(packaged, warn)).toEqual(['sip', 'sips', 'tel']);
    expect(packaged.setAsDefaultProtocolClient.mock.calls.map((c) => c[0])).toEqual([
      'sip',
      'sips',
      'tel',
      'callto',
    ]);
    expect(warn).toHaveBeenCalledExactlyOnceWith('could not register as the handler of callto: links');
  });
});
