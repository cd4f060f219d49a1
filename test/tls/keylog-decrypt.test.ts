/**
 * Issue 23: handshakes decrypted with a key log, checked frame by frame against tshark given the same key log
 * (captures/keylog/*.tshark.tsv, made by scripts/keylog-tshark-fixtures.sh), on captures of real openssl
 * s_server/s_client sessions (scripts/make-keylog-captures.sh) and the shipped DSB capture.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { readKeyLog, type KeyLog } from '../../src/tls/keylog.js';
import type { TlsEvent } from '../../src/tls/types.js';
import { parsePortOption, type PortMap } from '../../src/mail/ports.js';

const ROOT = join(import.meta.dirname, '../..');
const KEYLOG_DIR = join(ROOT, 'captures/keylog');

const WITH_KEY_LOG = [
  'tls13-aes128gcm',
  'tls13-aes256gcm',
  'tls13-chacha20',
  'tls13-aes128ccm',
  'tls12-gcm',
  'tls12-chacha20',
  'tls12-cbc',
  'tls12-cbc-etm',
  'tls13-client-cert',
  'tls13-client-cert-missing',
  'tls13-client-cert-refused',
];

interface FrameContent {
  server: boolean;
  handshakeTypes: number[];
  alerts: number[];
}

/** tshark's rows: frame, source port, content types, handshake types, alert levels, alert descriptions. */
function tsharkFrames(file: string): Map<number, FrameContent> {
  const frames = new Map<number, FrameContent>();
  const numbers = (field: string | undefined) => (field ? field.split(',').filter((x) => x !== '').map(Number) : []);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [frame, port, , handshake, , alerts] = line.split('\t');
    frames.set(Number(frame), { server: SERVER_PORTS.has(Number(port)), handshakeTypes: numbers(handshake), alerts: numbers(alerts) });
  }
  return frames;
}

/** The servers' ports: s_server's (the script counts up from 24401) and the DSB capture's HTTPS server. */
const SERVER_PORTS = new Set([...Array.from({ length: 20 }, (_, i) => 24401 + i), 443, 10025]);

/** What tlsdissect read in each frame: every handshake message (decrypted or plaintext) and every readable alert. */
function ourFrames(events: readonly TlsEvent[]): Map<number, FrameContent> {
  const frames = new Map<number, FrameContent>();
  const at = (e: TlsEvent) => {
    let f = frames.get(e.frame);
    if (!f) frames.set(e.frame, (f = { server: e.from === 'server', handshakeTypes: [], alerts: [] }));
    return f;
  };
  for (const e of events) {
    if (e.kind === 'handshake' && !e.encrypted) at(e).handshakeTypes.push(e.type);
    else if (e.kind === 'alert' && !e.alert.encrypted) at(e).alerts.push(e.alert.description);
  }
  return frames;
}

async function analyzed(capture: string, keyLog?: KeyLog, ports?: PortMap): Promise<{ report: ConnectionReport; events: readonly TlsEvent[] }[]> {
  const out: { report: ConnectionReport; events: readonly TlsEvent[] }[] = [];
  await analyzeCapture(capture, { keyLog, ports, inspect: (report, events) => out.push({ report, events: [...events] }) });
  return out;
}

function keyLogOf(name: string): KeyLog {
  return readKeyLog(readFileSync(join(KEYLOG_DIR, `${name}.keys`), 'latin1')).keys;
}

/** Every frame tlsdissect decoded agrees with tshark's, and no frame tshark read (up to the last one decoded) is missing. */
function expectSameAsTshark(events: readonly TlsEvent[], tsharkFile: string): void {
  const ours = ourFrames(events);
  const theirs = tsharkFrames(tsharkFile);
  const last = Math.max(...events.map((e) => e.frame));
  for (const [frame, content] of theirs) {
    if (frame > last || (content.handshakeTypes.length === 0 && content.alerts.length === 0)) continue;
    expect({ frame, ...ours.get(frame) }).toEqual({ frame, ...content });
  }
  for (const frame of ours.keys()) expect(theirs.has(frame)).toBe(true);
}

describe('decryption with a key log, frame by frame against tshark', () => {
  for (const name of WITH_KEY_LOG) {
    it(name, async () => {
      const [conn] = await analyzed(join(KEYLOG_DIR, `${name}.pcapng`), keyLogOf(name));
      expect(conn).toBeDefined();
      const { events, report } = conn!;
      // Something was decrypted: its messages have their real names.
      expect(events.some((e) => (e.kind === 'handshake' || e.kind === 'alert') && ('decrypted' in e ? e.decrypted : e.kind === 'alert' && e.alert.decrypted))).toBe(true);
      expect(events.some((e) => e.kind === 'handshake' && e.encrypted)).toBe(false);
      expectSameAsTshark(events, join(KEYLOG_DIR, `${name}.tshark.tsv`));
      expect(report.notes.filter((n) => /decrypt|key log/.test(n))).toEqual([]);
    });
  }

  it('SMTP STARTTLS with a real Postfix (scripts/make-keylog-starttls-capture.sh)', async () => {
    const port = parsePortOption('10025=smtp');
    if (!port.ok) throw new Error(port.error);
    const [conn] = await analyzed(join(KEYLOG_DIR, 'postfix-starttls.pcapng'), keyLogOf('postfix-starttls'), new Map([[port.port, port.assignment]]));
    const { events, report } = conn!;
    expect(report.protocol).toBe('smtp-starttls');
    expect(report.outcome).toBe('complete');
    expect(events.filter((e) => e.kind === 'handshake' && e.decrypted).map((e) => e.kind === 'handshake' && e.name)).toEqual(['EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'Finished', 'NewSessionTicket']);
    expectSameAsTshark(events, join(KEYLOG_DIR, 'postfix-starttls.tshark.tsv'));
    expect(report.certificates.map((c) => c.subject)).toEqual(['CN=mail.keylog.test']);
  });

  it('reads the keys of a Decryption Secrets Block without any option', async () => {
    const [conn] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert-missing-dsb.pcapng'));
    expectSameAsTshark(conn!.events, join(KEYLOG_DIR, 'tls13-client-cert-missing-dsb.tshark.tsv'));
    expect(conn!.report.end.alert?.name).toBe('certificate_required');
  });

  it('reads the shipped ja4/http2-with-cookies.pcapng the way tshark does (its DSB decrypts three frames)', async () => {
    const [conn] = await analyzed(join(ROOT, 'captures/http2-with-cookies.pcapng'));
    const { events, report } = conn!;
    const decryptedFrames = new Set(events.filter((e) => e.kind === 'handshake' && e.decrypted).map((e) => e.frame));
    expect([...decryptedFrames].sort((a, b) => a - b)).toEqual([10, 12, 16]);
    expectSameAsTshark(events, join(KEYLOG_DIR, 'http2-with-cookies.tshark.tsv'));
    // The chain inside the encrypted flight goes through the certificate checks.
    expect(report.certificates.map((c) => c.subject)).toContain('CN=*.google.com');
    expect(report.outcome).toBe('complete');
  });
});

describe('what a decrypted handshake tells', () => {
  it('a client certificate required and missing: the server alert certificate_required, after the client Finished', async () => {
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert-missing.pcapng'), keyLogOf('tls13-client-cert-missing'));
    expect(report.outcome).toBe('failed');
    expect(report.lastStep).toBe(7);
    expect(report.end).toMatchObject({ by: 'server', how: 'alert', alert: { name: 'certificate_required', code: 116, encrypted: false } });
    expect(report.diagnosis).toContain('requires a client certificate and got none');
    expect(report.messages.map((m) => `${m.from} ${m.type} ${m.step ?? '-'}`)).toEqual([
      'client ClientHello 1',
      'server ServerHello 2',
      'server ChangeCipherSpec -',
      'server EncryptedExtensions 3',
      'server CertificateRequest 3',
      'server Certificate 3',
      'server CertificateVerify 3',
      'server Finished 4',
      'client ChangeCipherSpec -',
      'client Certificate 5',
      'client Finished 7',
      'server Alert fatal certificate_required -',
    ]);
    // The server's chain, read from its decrypted Certificate, went through the checks.
    expect(report.certificates.map((c) => c.subject)).toEqual(['CN=localhost', 'CN=Keylog Test CA']);
  });

  it('a client certificate refused: unknown_ca from the server', async () => {
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert-refused.pcapng'), keyLogOf('tls13-client-cert-refused'));
    expect(report.outcome).toBe('failed');
    expect(report.end).toMatchObject({ by: 'server', alert: { name: 'unknown_ca' } });
    expect(report.diagnosis).toContain("does not trust the CA that issued the client's certificate");
  });

  it('a client certificate requested and given: complete, the client Certificate and CertificateVerify at step 5', async () => {
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert.pcapng'), keyLogOf('tls13-client-cert'));
    expect(report.outcome).toBe('complete');
    expect(report.steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 7]);
    expect(report.messages.filter((m) => m.from === 'client').map((m) => m.type)).toEqual(['ClientHello', 'ChangeCipherSpec', 'Certificate', 'CertificateVerify', 'Finished']);
  });

  it('TLS 1.2: the Finished messages decrypted complete the handshake', async () => {
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls12-cbc.pcapng'), keyLogOf('tls12-cbc'));
    expect(report.outcome).toBe('complete');
    expect(report.messages.filter((m) => m.type === 'Finished').map((m) => `${m.from} ${m.step}`)).toEqual(['client 7', 'server 9']);
  });

  it('keys that crossed to a worker thread (structured clone: Uint8Array, not Buffer) decrypt the same', async () => {
    const cloned = structuredClone(keyLogOf('tls12-cbc-etm'));
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls12-cbc-etm.pcapng'), cloned);
    expect(report.messages.filter((m) => m.type === 'Finished')).toHaveLength(2);
    const [tls13] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert-refused.pcapng'), structuredClone(keyLogOf('tls13-client-cert-refused')));
    expect(tls13!.report.end.alert?.name).toBe('unknown_ca');
  });

  it('keys never appear in a report', async () => {
    const keys = readFileSync(join(KEYLOG_DIR, 'tls13-client-cert.keys'), 'latin1');
    const secrets = keys.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')[2]!.toLowerCase());
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert.pcapng'), keyLogOf('tls13-client-cert'));
    const json = JSON.stringify(report).toLowerCase();
    expect(secrets.length).toBe(5);
    for (const s of secrets) expect(json).not.toContain(s.slice(0, 16));
  });
});

describe('without keys, or with the wrong ones', () => {
  it('a TLS 1.3 server that answers the client Finished with an alert-sized record and closes has failed', async () => {
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert-missing.pcapng'));
    expect(report.outcome).toBe('failed');
    expect(report.end).toMatchObject({ by: 'server', how: 'alert', alert: { encrypted: true } });
    expect(report.diagnosis).toContain("server answered the client's Finished with an encrypted alert and closed");
    expect(report.messages.some((m) => m.type === 'Alert (encrypted, by its size)' && m.length === 19)).toBe(true);
  });

  it('a TLS 1.3 server that answers with session tickets has not', async () => {
    const [{ report }] = await analyzed(join(KEYLOG_DIR, 'tls13-client-cert.pcapng'));
    expect(report.outcome).toBe('complete');
  });

  it('a key log without this ClientHello: a note, and the handshake as without keys', async () => {
    const [{ report, events }] = await analyzed(join(KEYLOG_DIR, 'tls13-aes128gcm.pcapng'), keyLogOf('tls13-chacha20'));
    expect(report.notes.filter((n) => n.includes('key log has no keys for this ClientHello'))).toHaveLength(1);
    expect(events.some((e) => e.kind === 'handshake' && e.decrypted)).toBe(false);
    expect(report.outcome).toBe('complete');
  });

  it('wrong keys: a note that decryption failed, never an error', async () => {
    const keyLog = keyLogOf('tls13-aes128gcm');
    for (const secrets of keyLog.values()) for (const s of Object.values(secrets)) (s as Buffer)[0]! ^= 1;
    const [{ report, events }] = await analyzed(join(KEYLOG_DIR, 'tls13-aes128gcm.pcapng'), keyLog);
    expect(report.notes.some((n) => n.includes('decryption failed: wrong keys or a damaged record'))).toBe(true);
    expect(events.some((e) => e.kind === 'error')).toBe(false);
    expect(report.outcome).toBe('complete');
  });
});
