import { describe, expect, it } from 'vitest';
import { defaultPorts, parsePortOption, protocolFor, roleProtocol } from '../../src/mail/ports.js';

describe('defaultPorts', () => {
  it('knows the seven mail ports and the ManageSieve port', () => {
    const ports = defaultPorts();
    expect(Object.fromEntries([...ports].map(([port, role]) => [port, [role.app, role.implicitTls, roleProtocol(role)]]))).toEqual({
      25: ['smtp', false, 'smtp-starttls'],
      587: ['smtp', false, 'submission-starttls'],
      465: ['smtp', true, 'smtps'],
      143: ['imap', false, 'imap-starttls'],
      993: ['imap', true, 'imaps'],
      110: ['pop3', false, 'pop3-stls'],
      995: ['pop3', true, 'pop3s'],
      4190: ['managesieve', false, 'managesieve-starttls'],
    });
  });

  it('gives a fresh map each time', () => {
    defaultPorts().set(2525, { app: 'smtp', implicitTls: false });
    defaultPorts().get(25)!.implicitTls = true;
    expect(defaultPorts().has(2525)).toBe(false);
    expect(defaultPorts().get(25)!.implicitTls).toBe(false);
  });
});

describe('parsePortOption', () => {
  it('reads the --port forms', () => {
    const cases: [string, number, string | null, boolean, string][] = [
      ['2525=smtp', 2525, 'smtp', false, 'smtp-starttls'],
      ['2465=smtps', 2465, 'smtp', true, 'smtps'],
      ['10143=imap', 10143, 'imap', false, 'imap-starttls'],
      ['10993=imaps', 10993, 'imap', true, 'imaps'],
      ['1110=pop3', 1110, 'pop3', false, 'pop3-stls'],
      ['1995=pop3s', 1995, 'pop3', true, 'pop3s'],
      ['8443=tls', 8443, null, true, 'tls'],
      ['2587=submission', 2587, 'smtp', false, 'submission-starttls'],
      [' 2465 = SMTPS ', 2465, 'smtp', true, 'smtps'],
    ];
    for (const [text, port, app, implicitTls, protocol] of cases) {
      const option = parsePortOption(text);
      expect(option, text).toEqual({ ok: true, port, assignment: { app, implicitTls, protocol } });
    }
  });

  it('explains bad input instead of throwing', () => {
    for (const text of ['', 'smtp', '2525', '2525=', '=smtp', '0=smtp', '70000=smtp', '2525=http', '2525=constructor', 'abc=smtp', '25:smtp']) {
      const option = parsePortOption(text);
      expect(option.ok, text).toBe(false);
      if (!option.ok) expect(option.error.length).toBeGreaterThan(10);
    }
    expect(parsePortOption('2525=http')).toEqual({
      ok: false,
      error: 'unknown kind "http"; expected PORT=KIND, e.g. 2525=smtp; KIND is one of smtp, smtps, imap, imaps, pop3, pop3s, sieve, tls',
    });
    expect(parsePortOption('70000=smtp')).toEqual({ ok: false, error: 'port 70000 is not between 1 and 65535' });
  });
});

describe('protocolFor', () => {
  it('names each application with and without implicit TLS', () => {
    expect(protocolFor('smtp', false)).toBe('smtp-starttls');
    expect(protocolFor('pop3', true)).toBe('pop3s');
    expect(protocolFor(null, true)).toBe('tls');
    expect(protocolFor(null, false)).toBe('unknown');
  });
});
