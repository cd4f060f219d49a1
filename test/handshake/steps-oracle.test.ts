/**
 * Which message is which of the nine steps, from the RFCs and not from src/handshake/walk.ts: every message of every
 * shipped capture is checked against this table, written from RFC 5246 §7.3 (figure 1, the full handshake; figure 2,
 * the abbreviated one), RFC 8446 §2 (TLS 1.3) and the SSL 2.0 draft. The walk's own TRANSITIONS table is never read
 * here, so a wrong entry there cannot agree with itself (CertificateRequest counted as step 4, a client
 * CertificateVerify as step 6: both passed the suite before this test).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';

const CAPTURES = join(import.meta.dirname, '../../captures');

type Table = Record<'client' | 'server', Record<string, number | null>>;

/** RFC 5246 §7.3 figure 1. The server's flight up to ServerHelloDone is step 3 (its last message, 4); the client's up to
 *  its ChangeCipherSpec is step 5. A NewSessionTicket (RFC 5077 §3.3) comes before the server's ChangeCipherSpec and
 *  is no step of its own. */
const FULL: Table = {
  client: { ClientHello: 1, Certificate: 5, ClientKeyExchange: 5, CertificateVerify: 5, ChangeCipherSpec: 6, 'Finished (encrypted)': 7, Finished: 7 },
  server: {
    ServerHello: 2,
    Certificate: 3,
    CertificateStatus: 3, // RFC 6066 §8: after Certificate, before ServerKeyExchange
    ServerKeyExchange: 3,
    CertificateRequest: 3,
    ServerHelloDone: 4,
    NewSessionTicket: null,
    RequestConnectionId: null, // DTLS 1.3's (RFC 9147 §7): no step in a TLS handshake, whoever sends it
    ChangeCipherSpec: 8,
    'Finished (encrypted)': 9,
    Finished: 9, // decrypted with a key log
  },
};

/** RFC 5246 §7.3 figure 2: the server sends its ChangeCipherSpec and Finished right after ServerHello. */
const RESUMED: Table = {
  client: { ClientHello: 1, ChangeCipherSpec: 6, 'Finished (encrypted)': 7, Finished: 7 },
  server: { ServerHello: 2, NewSessionTicket: null, ChangeCipherSpec: 8, 'Finished (encrypted)': 9, Finished: 9 },
};

/** RFC 8446 §2: all after ServerHello is encrypted. The server's flight (EncryptedExtensions … Finished) begins at step 3;
 *  the client's Finished is step 7. A HelloRetryRequest, the middlebox-compatibility ChangeCipherSpec (appendix D.4)
 *  and 0-RTT data are no steps. Decrypted with a key log (figure 1): the server's EncryptedExtensions,
 *  CertificateRequest, Certificate and CertificateVerify are its flight (3), its Finished ends it (4); the client's
 *  Certificate and CertificateVerify are step 5, its Finished 7; NewSessionTicket (§4.6.1) and KeyUpdate (§4.6.3)
 *  come after the handshake, and a client's EncryptedExtensions (Chrome's ALPS, not in RFC 8446) is no step. */
const TLS13: Table = {
  client: { ClientHello: 1, ChangeCipherSpec: null, 'early data (encrypted)': null, 'encrypted client Finished': 7, Certificate: 5, CertificateVerify: 5, Finished: 7, EncryptedExtensions: null, KeyUpdate: null },
  server: {
    HelloRetryRequest: null,
    ServerHello: 2,
    ChangeCipherSpec: null,
    'encrypted server flight (EncryptedExtensions…Finished)': 3,
    'encrypted server flight (continued)': null,
    EncryptedExtensions: 3,
    CertificateRequest: 3,
    Certificate: 3,
    CertificateVerify: 3,
    Finished: 4,
    NewSessionTicket: null,
    KeyUpdate: null,
  },
};

/** SSL 2.0: CLIENT-HELLO, SERVER-HELLO, CLIENT-MASTER-KEY, then each side's encrypted FINISHED. */
const SSLV2: Table = {
  client: { 'SSLv2 ClientHello': 1, 'SSLv2 ClientMasterKey': 5, 'SSLv2 encrypted message': 7 },
  server: { 'SSLv2 ServerHello': 2, 'SSLv2 encrypted message': 9 },
};

const BY_SHAPE: Record<string, Table> = { full: FULL, resumed: RESUMED, tls13: TLS13, sslv2: SSLV2 };

const isAlert = (type: string) => type.startsWith('Alert');

const files = readdirSync(CAPTURES).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();

describe('every message of every shipped capture is the step the RFCs make it', () => {
  it('covers the captures', () => expect(files.length).toBeGreaterThan(100));

  it.each(files)('%s', async (file) => {
    const { connections } = await analyzeCapture(join(CAPTURES, file));
    const differ: string[] = [];
    for (const c of connections) {
      // A capture that missed the ClientHello ('none') is walked as a full handshake: only the steps it does give
      // are checked against that table (a repeated ChangeCipherSpec or a late hello is no step there).
      const table = BY_SHAPE[c.shape] ?? FULL;
      for (const m of c.messages) {
        if (isAlert(m.type)) {
          if (m.step !== null) differ.push(`#${c.id} frame ${m.frame}: ${m.type} is step ${m.step}, an alert is no step`);
          continue;
        }
        const want = table[m.from][m.type];
        if (c.shape === 'none' && m.step === null) continue;
        if (want === undefined) differ.push(`#${c.id} frame ${m.frame}: ${m.from} ${m.type} in a ${c.shape} handshake is in no RFC table here`);
        else if (m.step !== want) differ.push(`#${c.id} frame ${m.frame}: ${m.from} ${m.type} (${c.shape}) is step ${m.step}, the RFC makes it ${want}`);
      }
    }
    expect(differ).toEqual([]);
  });
});
