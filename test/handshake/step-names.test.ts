/**
 * The words a reader sees for the steps: the nine names of RFC 5246 §7.3 figure 1 for a full or resumed handshake,
 * the TLS 1.3 names (RFC 8446 §2) for a TLS 1.3 one, "nothing (no ClientHello)" before any step; and Zeek's
 * ssl_history letters for the messages only some captures carry (a client certificate and its CertificateVerify,
 * a stapled OCSP response). The message order of each capture was read with tshark
 * (`tshark -Y tls -T fields -e ip.src -e tls.handshake.type`), the letters are Zeek's (ssl/main.zeek).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import type { ConnectionReport } from '../../src/handshake/report.js';
import { stepName } from '../../src/handshake/steps.js';
import { walkHandshake } from '../../src/handshake/walk.js';
import type { Side } from '../../src/tcp/types.js';
import type { TlsEvent } from '../../src/tls/types.js';

const CAPTURES = join(import.meta.dirname, '../../captures');

async function connection(file: string, id: number): Promise<ConnectionReport> {
  const { connections } = await analyzeCapture(join(CAPTURES, file));
  return connections.find((c) => c.id === id)!;
}

const names = (r: ConnectionReport) => r.steps.map((s) => `${s.step} ${s.name} (${s.from})`);

describe('step names', () => {
  it('a full TLS 1.2 handshake: the nine steps of RFC 5246 figure 1, each by its sender', async () => {
    const r = await connection('good-25-smtp-starttls.pcap', 1);
    expect(names(r)).toEqual([
      '1 ClientHello (client)',
      '2 ServerHello (server)',
      '3 Certificate/ServerKeyExchange (server)',
      '4 ServerHelloDone (server)',
      '5 ClientKeyExchange (client)',
      '6 client ChangeCipherSpec (client)',
      '7 client Finished (client)',
      '8 server ChangeCipherSpec (server)',
      '9 server Finished (server)',
    ]);
    expect(r.lastStepName).toBe('server Finished');
  });

  it('a resumed one: the server finishes first (figure 2), under the same names', async () => {
    const r = await connection('tls-client-sessionid.pcap', 1);
    expect(names(r)).toEqual(['1 ClientHello (client)', '2 ServerHello (server)', '8 server ChangeCipherSpec (server)', '9 server Finished (server)', '6 client ChangeCipherSpec (client)', '7 client Finished (client)']);
  });

  it('TLS 1.3: its own names, as RFC 8446 §2 takes the steps', async () => {
    const r = await connection('good-25-smtp-starttls.pcap', 2);
    expect(names(r)).toEqual(['1 ClientHello (client)', '2 ServerHello (server)', '3 server flight (encrypted) (server)', '4 end of server flight (server)', '7 client Finished (encrypted) (client)']);
    expect(r.lastStepName).toBe('handshake complete');
  });

  it('a HelloRetryRequest is no step (RFC 8446 §4.1.4): the steps start again at the real ServerHello', async () => {
    const r = await connection('hrr.pcap', 1);
    expect(r.messages.filter((m) => m.from === 'server').map((m) => `${m.type} ${m.step}`).slice(0, 3)).toEqual(['HelloRetryRequest null', 'ChangeCipherSpec null', 'ServerHello 2']);
    expect(names(r)[1]).toBe('2 ServerHello (server)');
    expect(r.tls.helloRetryRequest).toBe(true);
    // Zeek writes j for the HelloRetryRequest, then c again for the second ClientHello.
    expect(r.history).toBe('CjiICs');
  });

  it('SSL 2.0: hello, master key, then each side encrypted; complete when both have sent their FINISHED', async () => {
    const r = await connection('ssl-v2.pcap', 1);
    expect(names(r)).toEqual(['1 ClientHello (client)', '2 ServerHello (server)', '5 ClientKeyExchange (client)', '9 server Finished (server)', '7 client Finished (client)']);
    expect([r.outcome, r.lastStep, r.tls.version, r.history]).toEqual(['complete', 9, 'SSL 2.0', 'Cs']);
    expect(r.messages.map((m) => m.type).slice(0, 3)).toEqual(['SSLv2 ClientHello', 'SSLv2 ServerHello', 'SSLv2 ClientMasterKey']);
  });

  it('before any ClientHello: nothing', async () => {
    const r = await connection('capture2.pcap', 12);
    expect([r.lastStep, r.lastStepName]).toEqual([0, 'nothing (no ClientHello)']);
  });
});

describe("Zeek's history letters for the rarer messages", () => {
  it('a client certificate and its CertificateVerify (X, Y), a CertificateRequest (r), a NewSessionTicket (t)', async () => {
    expect((await connection('client-certificate.pcap', 1)).history).toBe('CsxkrnXGYIti');
  });

  it('a stapled OCSP response (u)', async () => {
    expect((await connection('ocsp-stapling.pcap', 1)).history).toBe('CsxuknGIi');
  });
});

/**
 * Zeek's letters, written from its documentation of ssl_history (scripts/base/protocols/ssl/main.zeek), each
 * with the handshake type number of the IANA registry: every plaintext handshake message, one at a time, as the
 * walk writes it in the history (lower case from the server, upper case from the client).
 */
const ZEEK_LETTERS: readonly [type: number, zeek: string, letter: string][] = [
  [0, 'hello_request', 'h'],
  [1, 'client_hello', 'c'],
  [2, 'server_hello', 's'],
  [3, 'hello_verify_request', 'v'],
  [4, 'NewSessionTicket', 't'],
  [5, 'end_of_early_data', 'e'],
  [6, 'hello_retry_request (its draft number)', 'j'],
  [8, 'encrypted_extensions', 'o'],
  [11, 'certificate', 'x'],
  [12, 'server_key_exchange', 'k'],
  [13, 'certificate_request', 'r'],
  [14, 'server_hello_done', 'n'],
  [15, 'certificate_verify', 'y'],
  [16, 'client_key_exchange', 'g'],
  [20, 'finished', 'f'],
  [21, 'certificate_url', 'w'],
  [22, 'certificate_status', 'u'],
  [23, 'supplemental_data', 'a'],
  [24, 'key_update', 'p'],
  [254, 'message_hash', 'm'],
  [7, 'unassigned_handshake_type', 'z'],
  [99, 'unassigned_handshake_type', 'z'],
];

describe("Zeek's history letter of every handshake type", () => {
  const message = (from: Side, type: number): TlsEvent => ({ kind: 'handshake', from, frame: 1, time: 0, type, name: `type ${type}`, length: 4, encrypted: false });

  for (const [type, zeek, letter] of ZEEK_LETTERS) {
    it(`${type} ${zeek}: ${letter} from the server, ${letter.toUpperCase()} from the client`, () => {
      expect(walkHandshake([message('server', type)]).history).toBe(letter);
      expect(walkHandshake([message('client', type)]).history).toBe(letter.toUpperCase());
    });
  }
});

describe('stepName', () => {
  it('names a number outside the nine steps by its number instead of failing', () => {
    expect([stepName(10), stepName(10, 'tls13'), stepName(-1)]).toEqual(['step 10', 'step 10', 'step -1']);
  });
});
