// The mail stage on real plaintext phases: TCP payloads taken from real captures with tshark
// (test/mail/fixtures/extract.mjs), fed in several chunkings. tlsStart is checked against the stream offset of
// tshark's first decoded TLS record (the fixture's `oracle`).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultPorts } from '../../src/mail/ports.js';
import type { MailPhase } from '../../src/mail/types.js';
import { CHUNKINGS, type FixtureConnection, loadFixture, rechunk, replay } from './replay.js';

type Expected = Partial<Omit<MailPhase, 'transcript'>> & { transcriptIncludes?: string[] };

const STARTTLS_25: Expected = {
  protocol: 'smtp-starttls',
  application: 'smtp',
  tlsMode: 'starttls',
  serverOffered: true,
  clientAsked: true,
  serverReply: '220 2.0.0 Ready to start TLS',
  accepted: true,
  problem: null,
};
const IMPLICIT = (protocol: MailPhase['protocol'], application: MailPhase['application']): Expected => ({
  protocol,
  application,
  tlsMode: 'implicit',
  serverOffered: null,
  clientAsked: false,
  serverReply: null,
  accepted: null,
  problem: null,
  tlsStart: { client: 0, server: 0 },
});
const POSTFIX_STARTTLS: Expected = { ...STARTTLS_25, tlsStart: { client: 32, server: 244 } };
const DOVECOT_STLS: Expected = {
  protocol: 'pop3-stls',
  application: 'pop3',
  tlsMode: 'starttls',
  // The client sent STLS straight away, without CAPA: the offer was never seen.
  serverOffered: null,
  clientAsked: true,
  serverReply: '+OK Begin TLS negotiation now.',
  accepted: true,
  problem: null,
  tlsStart: { client: 6, server: 61 },
};

const BANNER_ON_465 = (banner: string) =>
  `server sent a plaintext banner on port 465, where TLS starts at the first byte: "${banner}"; the server is not set ` +
  `up for implicit TLS ("SSL/TLS") on this port, so it cannot answer the client's TLS`;

/** fixture name → stream → what the mail stage must say. */
const EXPECTED: Record<string, Record<number, Expected>> = {
  'lab-good-25': { 0: POSTFIX_STARTTLS, 1: POSTFIX_STARTTLS, 2: POSTFIX_STARTTLS },
  'lab-good-110': { 0: DOVECOT_STLS, 1: DOVECOT_STLS, 2: DOVECOT_STLS },
  'lab-good-465': { 0: IMPLICIT('smtps', 'smtp'), 1: IMPLICIT('smtps', 'smtp'), 2: IMPLICIT('smtps', 'smtp') },
  'lab-good-993': { 0: IMPLICIT('imaps', 'imap'), 1: IMPLICIT('imaps', 'imap'), 2: IMPLICIT('imaps', 'imap') },
  'lab-abort-after-shd': {
    0: POSTFIX_STARTTLS,
    1: POSTFIX_STARTTLS,
    2: { ...POSTFIX_STARTTLS, protocol: 'submission-starttls' },
    3: IMPLICIT('smtps', 'smtp'),
    4: IMPLICIT('smtps', 'smtp'),
    5: IMPLICIT('imaps', 'imap'),
    6: IMPLICIT('pop3s', 'pop3'),
    7: {
      protocol: 'imap-starttls',
      application: 'imap',
      tlsMode: 'starttls',
      serverOffered: true, // [CAPABILITY ... STARTTLS LOGINDISABLED] in the greeting
      clientAsked: true,
      serverReply: 'a1 OK Begin TLS negotiation now.',
      accepted: true,
      problem: null,
      tlsStart: { client: 13, server: 158 },
    },
    8: DOVECOT_STLS,
  },
  'ndpi-smtp-starttls': {
    0: { ...STARTTLS_25, tlsStart: { client: 38, server: 235 } },
    1: { ...STARTTLS_25, tlsStart: { client: 60, server: 240 } },
  },
  'zeek-smtp-starttls': { 0: { ...STARTTLS_25, tlsStart: { client: 35, server: 224 } } },
  'ndpi-imap-starttls': {
    0: {
      protocol: 'imap-starttls',
      application: 'imap',
      tlsMode: 'starttls',
      serverOffered: true,
      clientAsked: true,
      serverReply: '. OK Begin TLS negotiation now',
      accepted: true,
      problem: null,
      tlsStart: { client: 26, server: 530 },
      transcriptIncludes: ['. CAPABILITY', '. STARTTLS'],
    },
  },
  'mercury-imap2': {
    0: {
      protocol: 'imap-starttls',
      application: 'imap',
      tlsMode: 'starttls',
      serverOffered: true,
      clientAsked: true,
      serverReply: '. OK Begin TLS negotiation now.',
      accepted: true,
      problem: null,
      tlsStart: { client: 26, server: 318 },
    },
  },
  'ndpi-pop3-stls': {
    0: {
      protocol: 'pop3-stls',
      application: 'pop3',
      tlsMode: 'starttls',
      serverOffered: true, // CAPA list with STLS, after a refused AUTH
      clientAsked: true,
      serverReply: '+OK Ready to start TLS negotiation.',
      accepted: true,
      problem: null,
      tlsStart: { client: 18, server: 225 },
      transcriptIncludes: ['AUTH', '-ERR Unrecognized command.', 'CAPA', 'STLS'],
    },
  },
  'zeek-pop3-starttls': {
    0: { ...DOVECOT_STLS, serverReply: '+OK Begin TLS negotiation now', tlsStart: { client: 6, server: 138 } },
  },
  'suricata-bug-6207-1': {
    0: {
      protocol: 'smtp',
      application: 'smtp',
      tlsMode: null,
      serverOffered: true,
      clientAsked: false,
      serverReply: null,
      accepted: null,
      problem: 'client never asked for STARTTLS',
      tlsStart: { client: null, server: null },
      // The message body is summarised, not copied.
      transcriptIncludes: ['250-STARTTLS', 'DATA', '[message body: 32 lines, 1196 bytes]', '.', 'quit'],
    },
  },
  'suricata-protocol-change-failed': {
    0: {
      protocol: 'smtp-starttls',
      application: 'smtp',
      tlsMode: null,
      serverOffered: false, // its EHLO answer is a bare '220 2tart'
      clientAsked: true,
      serverReply: '220 2tart',
      accepted: true,
      problem: 'server accepted STARTTLS ("220 2tart") but then sent plaintext instead of TLS: "HTTP/1.1 101"',
      tlsStart: { client: null, server: null },
      transcriptIncludes: ['HTTP/1.1 101', 'Upgrade:h2c', '\\x00 [no line end]'],
    },
  },
  'suricata-smtperr': {
    0: {
      protocol: 'smtp',
      application: 'smtp',
      tlsMode: null,
      clientAsked: false,
      problem: 'client sent binary data that is neither SMTP nor TLS (first bytes 67 09 e4 59 e9 58 48 cf)',
      tlsStart: { client: null, server: null },
    },
    1: {
      protocol: 'smtp',
      application: 'smtp',
      tlsMode: null,
      serverOffered: null,
      clientAsked: false,
      problem: 'client never asked for STARTTLS: it greeted with HELO, so the server could not offer it',
      tlsStart: { client: null, server: null },
    },
    2: {
      protocol: 'smtp',
      application: 'smtp',
      tlsMode: null,
      serverOffered: true,
      clientAsked: false,
      problem: 'client never asked for STARTTLS',
      tlsStart: { client: null, server: null },
    },
    3: {
      protocol: 'smtps',
      application: 'smtp',
      tlsMode: 'implicit',
      serverOffered: null,
      clientAsked: false,
      problem: BANNER_ON_465('220 v02.kerne.org ESMTP Postfix'),
      tlsStart: { client: 0, server: null },
      transcriptIncludes: ['220 v02.kerne.org ESMTP Postfix', '402 4.5.2 Error: command not recognized'],
    },
  },
  // Implicit TLS on the submission port: the server answers the ClientHello with TLS, so this port is set up
  // for implicit TLS; both ends agree and nothing is wrong.
  'certgrep-sess-smtps': {
    0: { ...IMPLICIT('smtps', 'smtp') },
  },
  'suricata-smtp-tls-protodetect': {
    0: {
      protocol: 'smtps',
      application: 'smtp',
      tlsMode: 'implicit',
      clientAsked: false,
      problem: BANNER_ON_465('220 poczta.home-whs.pl ESMTP'),
      tlsStart: { client: 0, server: null },
    },
  },
};

function check(conn: FixtureConnection, expected: Expected, phase: MailPhase): void {
  const { transcriptIncludes, ...fields } = expected;
  expect(phase).toMatchObject(fields);
  const lines = phase.transcript.map((t) => t.line);
  for (const line of transcriptIncludes ?? []) expect(lines).toContain(line);
  // The oracle: where tshark decoded the first TLS record on each side.
  expect(phase.tlsStart).toEqual(conn.oracle.tlsStart);
}

const HERE = dirname(fileURLToPath(import.meta.url));
const truth = JSON.parse(readFileSync(join(HERE, '../../captures/lab-truth.json'), 'utf8'));
const TRUTH_PROTOCOL: Record<string, MailPhase['protocol']> = {
  'smtp+starttls': 'smtp-starttls',
  'submission+starttls': 'submission-starttls',
  'smtps(submissions)': 'smtps',
  imaps: 'imaps',
  pop3s: 'pop3s',
  'imap+starttls': 'imap-starttls',
  'pop3+stls': 'pop3-stls',
};

for (const [name, streams] of Object.entries(EXPECTED)) {
  describe(name, () => {
    const fixture = loadFixture(name);

    it('has a fixture connection for every expectation and an expectation for every connection', () => {
      expect(fixture.connections.map((c) => c.stream).sort()).toEqual(Object.keys(streams).map(Number).sort());
    });

    for (const conn of fixture.connections) {
      const expected = streams[conn.stream];
      describe(`stream ${conn.stream} ${conn.client} → ${conn.server}`, () => {
        const reference = replay(conn.chunks, conn.serverPort, defaultPorts());

        it('says what happened in the plaintext phase, with tshark\'s TLS start offsets', () => {
          check(conn, expected, reference.phase);
          expect(reference.pushedTlsStart).toEqual(conn.oracle.tlsStart);
          expect(reference.zeroAfterTls).toBe(true);
          expect(reference.phase.transcript.length).toBeLessThanOrEqual(100);
          for (const t of reference.phase.transcript) expect(t.line.length).toBeLessThanOrEqual(200);
        });

        for (const how of CHUNKINGS) {
          it(`gives the same answer when the bytes come ${how === 'sides' ? 'one side after the other' : `as ${how}`}`, () => {
            const r = replay(rechunk(conn.chunks, how), conn.serverPort, defaultPorts());
            const { transcript, ...fields } = r.phase;
            const { transcript: refTranscript, ...refFields } = reference.phase;
            expect(fields).toEqual(refFields);
            expect(r.pushedTlsStart).toEqual(conn.oracle.tlsStart);
            expect(r.zeroAfterTls).toBe(true);
            if (how === 'bytes' || how === 'odd' || how === 'segments') {
              expect(transcript).toEqual(refTranscript);
            } else {
              // Frames and interleaving differ when segments are merged; each side's lines do not.
              for (const side of ['client', 'server'] as const) {
                expect(transcript.filter((t) => t.from === side).map((t) => t.line)).toEqual(
                  refTranscript.filter((t) => t.from === side).map((t) => t.line),
                );
              }
            }
          });
        }

        if (name.startsWith('lab-')) {
          it('agrees with the lab\'s truth.json on the protocol', () => {
            const conns = Object.values(truth.captures).flatMap((c: any) => c.connections);
            const t = conns.find((c: any) => c.client === conn.client && c.server === conn.server);
            expect(t).toBeDefined();
            expect(reference.phase.protocol).toBe(TRUTH_PROTOCOL[t.protocol]);
          });
        }
      });
    }
  });
}

describe('ports that are not in the port map', () => {
  it('sniffs SMTP from the 220 banner and still finds both TLS starts', () => {
    const conn = loadFixture('lab-good-25').connections[0];
    const r = replay(conn.chunks, 2525, defaultPorts());
    expect(r.phase).toMatchObject({ ...STARTTLS_25, tlsStart: { client: 32, server: 244 } });
    expect(r.pushedTlsStart).toEqual(conn.oracle.tlsStart);
  });

  it('sniffs IMAP from "* OK" and POP3 from "+OK"', () => {
    const imap = loadFixture('mercury-imap2').connections[0];
    expect(replay(imap.chunks, 10143, defaultPorts()).phase).toMatchObject({
      protocol: 'imap-starttls',
      application: 'imap',
      accepted: true,
      tlsStart: { client: 26, server: 318 },
    });
    const pop3 = loadFixture('ndpi-pop3-stls').connections[0];
    expect(replay(pop3.chunks, 1110, defaultPorts()).phase).toMatchObject({
      protocol: 'pop3-stls',
      application: 'pop3',
      serverOffered: true,
      tlsStart: { client: 18, server: 225 },
    });
  });

  it('sniffs implicit TLS from the ClientHello', () => {
    for (const name of ['lab-good-465', 'lab-good-993', 'certgrep-sess-smtps']) {
      const conn = loadFixture(name).connections[0];
      for (const how of CHUNKINGS) {
        const r = replay(rechunk(conn.chunks, how), 8443, new Map());
        expect(r.phase).toMatchObject({
          protocol: 'tls',
          application: null,
          tlsMode: 'implicit',
          problem: null,
          tlsStart: { client: 0, server: 0 },
        });
      }
    }
  });

  it('sniffs plain SMTP that never asks for STARTTLS', () => {
    const conn = loadFixture('suricata-bug-6207-1').connections[0];
    expect(replay(conn.chunks, 2525, new Map()).phase).toMatchObject({
      protocol: 'smtp',
      application: 'smtp',
      serverOffered: true,
      problem: 'client never asked for STARTTLS',
    });
  });

  it('sniffs the ClientHello of implicit TLS on 587 whatever the port map says', () => {
    const conn = loadFixture('certgrep-sess-smtps').connections[0];
    expect(replay(conn.chunks, 587, new Map()).phase.protocol).toBe('tls');
    expect(replay(conn.chunks, 587, defaultPorts()).phase.protocol).toBe('smtps');
  });
});
