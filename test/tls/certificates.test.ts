/**
 * Certificate reading and chain checks on real certificates: test/tls/fixtures/certs/*.pem were made
 * by scripts/make-test-certs.sh with openssl (fixed dates; the tests do not run openssl), and the lab
 * captures' chains (a normal 2-certificate chain and a 7 KB cross-signed one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';
import { inspectChain, type ChainProblemCode, type ChainReport } from '../../src/tls/chain-checks.js';
import { certificateCoversName, hostMatches } from '../../src/tls/host-names.js';
import { loadTrustStore, type TrustStore } from '../../src/tls/trust-store.js';
import { readSignatureAlgorithmOid, splitSubjectAltName } from '../../src/tls/x509.js';
import { parseCertificateMessage } from '../../src/tls/messages.js';

const CERTS = join(import.meta.dirname, 'fixtures/certs');
const CAPTURES = join(import.meta.dirname, '../../captures');

function der(name: string): Buffer {
  const pem = readFileSync(join(CERTS, `${name}.pem`), 'latin1');
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** "The capture" happens on 2030-06-01: leaf is valid (2025–2035), leaf-expired ended 2021, leaf-future starts 2035. */
const CAPTURE_TIME = Date.UTC(2030, 5, 1) / 1000;
const SNI = (name: string) => [{ name, source: 'the name the client asked for (SNI)' }];

function check(names: string[], options: { sni?: string; trustStore?: TrustStore; time?: number } = {}): ChainReport {
  return inspectChain(names.map(der), { time: options.time ?? CAPTURE_TIME, names: options.sni ? SNI(options.sni) : [], trustStore: options.trustStore ?? null });
}
const codes = (r: ChainReport) => r.problems.map((p) => p.code).sort();
function store(...names: string[]): TrustStore {
  const loaded = loadTrustStore(Buffer.from(names.map((n) => readFileSync(join(CERTS, `${n}.pem`), 'latin1')).join('\n')), 'ca.pem');
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.store;
}

describe('reading a certificate', () => {
  it('gives the fields of the issue and the extras, in the order sent', () => {
    const r = check(['leaf', 'inter']);
    expect(r.certificates).toHaveLength(2);
    const leaf = r.certificates[0]!;
    expect(leaf).toMatchObject({
      subject: 'CN=mail.example.test',
      issuer: 'CN=Test Issuing CA, O=tlsdissect tests',
      san: ['mail.example.test', '*.mx.example.test', '192.0.2.25'],
      notBefore: '2025-01-01T00:00:00.000000Z',
      notAfter: '2035-01-01T00:00:00.000000Z',
      keyType: 'RSA',
      keyBits: 2048,
      bytes: der('leaf').length,
      signatureAlgorithm: 'sha256WithRSAEncryption',
      ca: false,
      selfSigned: false,
    });
    expect(leaf.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(leaf.serial).toMatch(/^[0-9A-F]+$/);
    expect(r.certificates[1]).toMatchObject({ subject: 'CN=Test Issuing CA, O=tlsdissect tests', ca: true, san: [] });
    expect(r.problems).toEqual([]);
  });

  it('reads EC and Ed25519 keys and the signature algorithm from the DER', () => {
    const [ec, ed] = check(['leaf-ec', 'leaf-ed25519']).certificates;
    expect(ec).toMatchObject({ keyType: 'EC', keyBits: 256, curve: 'prime256v1', signatureAlgorithm: 'sha384WithRSAEncryption' });
    expect(ed).toMatchObject({ keyType: 'Ed25519', keyBits: 256, signatureAlgorithm: 'sha256WithRSAEncryption' });
    expect(readSignatureAlgorithmOid(der('root'))).toBe('1.2.840.113549.1.1.11');
  });

  it('never throws on bytes that are not a certificate: an unparseable problem, the rest still read', () => {
    const junk = [Buffer.alloc(0), Buffer.from('30820100', 'hex'), Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), der('leaf').subarray(0, 300), Buffer.from('hello')];
    for (const j of junk) {
      expect(readSignatureAlgorithmOid(j)).toBeNull();
      const r = inspectChain([j, der('inter')], { time: CAPTURE_TIME, names: SNI('mail.example.test') });
      expect(r.certificates).toHaveLength(2);
      expect(r.problems[0]).toMatchObject({ code: 'unparseable', index: 0 });
      expect(r.certificates[0]).toMatchObject({ subject: null, bytes: j.length });
      expect(r.certificates[1]!.subject).toBe('CN=Test Issuing CA, O=tlsdissect tests');
    }
  });

  it('splits subjectAltName text, including quoted values', () => {
    expect(splitSubjectAltName('DNS:a.example, IP Address:192.0.2.1')).toEqual(['DNS:a.example', 'IP Address:192.0.2.1']);
    expect(splitSubjectAltName('DNS:"a, b", DNS:c')).toEqual(['DNS:a, b', 'DNS:c']);
    expect(splitSubjectAltName(undefined)).toEqual([]);
  });

  it('reads a Certificate message cut from a public capture (zeek tls1.2.pcap, 3 certificates)', () => {
    const fx = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/tls12-certificate.json'), 'utf8')) as { bodyHex: string };
    const msg = parseCertificateMessage(Buffer.from(fx.bodyHex, 'hex'), false);
    if (!msg.ok) throw new Error(msg.error);
    const r = inspectChain(msg.value.certificates, { time: Date.UTC(2015, 0, 1) / 1000 });
    expect(r.certificates).toHaveLength(3);
    for (const c of r.certificates) expect(c.subject).toMatch(/CN=/);
  });
});

describe('chain checks, one per problem', () => {
  const cases: [string, string[], { sni?: string; trustStore?: () => TrustStore }, ChainProblemCode[]][] = [
    ['a good chain', ['leaf', 'inter'], { sni: 'mail.example.test' }, []],
    ['expired at the time of the capture', ['leaf-expired', 'inter'], {}, ['expired']],
    ['not yet valid at the time of the capture', ['leaf-future', 'inter'], {}, ['not-yet-valid']],
    ['out of order (root before the intermediate)', ['leaf', 'root', 'inter'], {}, ['out-of-order', 'root-sent']],
    ['an intermediate that is not the issuer', ['leaf', 'other-inter'], {}, ['issuer-not-next']],
    ['a self-signed root sent needlessly', ['leaf', 'inter', 'root'], {}, ['root-sent']],
    ['a self-signed server certificate', ['selfsigned'], {}, ['self-signed']],
    ['the same certificate twice', ['leaf', 'inter', 'inter'], {}, ['duplicate']],
    ['SNI not covered by any name', ['leaf', 'inter'], { sni: 'imap.example.test' }, ['name-mismatch']],
    ['a large chain (200 names, 7 KB)', ['leaf-many-names', 'inter'], { sni: 'mx150.customer-150.example.test' }, ['large-chain']],
    ['validated against --ca: trusted', ['leaf', 'inter'], { trustStore: () => store('root') }, []],
    ['validated against --ca: another CA', ['leaf', 'inter'], { trustStore: () => store('other-root') }, ['untrusted']],
    ['validated against --ca: intermediate missing', ['leaf'], { trustStore: () => store('root') }, ['untrusted']],
    ['validated against --ca: the intermediate itself is trusted', ['leaf'], { trustStore: () => store('other-root', 'inter') }, []],
  ];
  for (const [what, chain, opts, expected] of cases) {
    it(`${what}: ${expected.join(', ') || 'no problem'}`, () => {
      const r = check(chain, { sni: opts.sni, trustStore: opts.trustStore?.() });
      expect(codes(r)).toEqual([...expected].sort());
      for (const p of r.problems) expect(p.message.length).toBeGreaterThan(20);
    });
  }

  it('says what was wrong in words the admin can act on', () => {
    const expired = check(['leaf-expired', 'inter']).problems[0]!;
    expect(expired).toMatchObject({ index: 0 });
    expect(expired.message).toContain("#1 'mail.example.test' had expired when the capture was taken: valid until 2021-01-01");
    const wrong = check(['leaf', 'other-inter']).problems[0]!;
    expect(wrong.message).toContain("issued by 'CN=Test Issuing CA, O=tlsdissect tests', but the next certificate is 'CN=Other Issuing CA, O=somebody else'");
    const name = check(['leaf', 'inter'], { sni: 'imap.example.test' }).problems[0]!;
    expect(name.message).toBe("the server's certificate does not cover the name the client asked for (SNI) 'imap.example.test': it is for mail.example.test, *.mx.example.test, 192.0.2.25");
    const untrusted = check(['leaf'], { trustStore: store('root') }).problems[0]!;
    expect(untrusted.message).toContain("neither sent nor is in ca.pem");
  });

  it('checks --server-name like the SNI, and both when both are given', () => {
    const r = inspectChain([der('leaf'), der('inter')], {
      time: CAPTURE_TIME,
      names: [
        { name: 'mail.example.test', source: 'the name the client asked for (SNI)' },
        { name: 'smtp.example.test', source: 'the server name given with --server-name' },
      ],
    });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toContain("--server-name 'smtp.example.test'");
  });
});

describe('host names (RFC 6125 §6.4)', () => {
  it('matches exact names, case-insensitively, with or without a final dot', () => {
    expect(hostMatches('mail.example.test', 'MAIL.example.test.')).toBe(true);
    expect(hostMatches('mail.example.test', 'mail2.example.test')).toBe(false);
  });
  it('lets a wildcard stand for exactly one whole left-most label', () => {
    expect(hostMatches('*.mx.example.test', 'a.mx.example.test')).toBe(true);
    expect(hostMatches('*.mx.example.test', 'mx.example.test')).toBe(false);
    expect(hostMatches('*.mx.example.test', 'a.b.mx.example.test')).toBe(false);
    expect(hostMatches('*.mx.example.test', '.mx.example.test')).toBe(false);
    expect(hostMatches('mx*.example.test', 'mx1.example.test')).toBe(false); // partial-label wildcard
    expect(hostMatches('a.*.example.test', 'a.b.example.test')).toBe(false); // not left-most
    expect(hostMatches('*.test', 'example.test')).toBe(false); // directly above a TLD
  });
  it('uses IP SANs for addresses and the CN only when there is no DNS SAN', () => {
    const [leaf] = check(['leaf']).certificates;
    expect(certificateCoversName(leaf!, '192.0.2.25')).toBe(true);
    expect(certificateCoversName(leaf!, '192.0.2.26')).toBe(false);
    expect(certificateCoversName(leaf!, 'x.mx.example.test')).toBe(true);
    const [legacy] = check(['leaf-cn-only']).certificates;
    expect(certificateCoversName(legacy!, 'legacy.example.test')).toBe(true);
    expect(check(['leaf-cn-only', 'inter'], { sni: 'other.example.test' }).problems.map((p) => p.code)).toEqual(['name-mismatch']);
  });
  it('matches an IPv6 SAN written in any form (OpenSSL prints it uncompressed)', () => {
    const [leaf] = check(['leaf']).certificates;
    const v6 = { ...leaf!, san: ['mail.example.test', '2001:DB8:0:0:0:0:0:19'] };
    expect(certificateCoversName(v6, '2001:db8::19')).toBe(true);
    expect(certificateCoversName(v6, '2001:db8:0::0:19')).toBe(true);
    expect(certificateCoversName(v6, '2001:db8::1:19')).toBe(false);
    const mapped = { ...leaf!, san: ['0:0:0:0:0:FFFF:C000:219'] };
    expect(certificateCoversName(mapped, '::ffff:192.0.2.25')).toBe(true);
  });
});

describe('--ca files', () => {
  it('loads PEM bundles and single DER certificates, and refuses anything else', () => {
    expect(store('root', 'other-root').anchors).toHaveLength(2);
    const fromDer = loadTrustStore(der('root'), 'root.der');
    expect(fromDer.ok && fromDer.store.anchors.length).toBe(1);
    const bad = loadTrustStore(Buffer.from('not a certificate'), 'x.txt');
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('no certificate in it') });
  });
});

describe('the lab captures\' real chains', () => {
  it('reads the normal chain (10.77.0.1) and the 7 KB cross-signed one (10.77.0.4) of abort-after-shd.pcap', async () => {
    const { connections } = await analyzeCapture(join(CAPTURES, 'abort-after-shd.pcap'));
    for (const c of connections) {
      if (c.server.ip === '10.77.0.1') {
        expect(c.certificates.map((x) => x.subject)).toEqual(['C=XX, O=Mail Lab Test, CN=mail.lab.test', 'C=XX, O=Mail Lab Test, CN=Mail Lab Issuing CA 1']);
        expect(c.chainProblems).toEqual([]);
      } else {
        expect(c.server.ip).toBe('10.77.0.4');
        expect(c.certificates.map((x) => x.issuer)).toEqual([
          'C=XX, O=Mail Lab Test, CN=Mail Lab Issuing CA 1',
          'C=XX, O=Mail Lab Test, CN=Mail Lab Root R1',
          'C=XX, O=Mail Lab Test, CN=Mail Lab Legacy Root X',
          'C=XX, O=Mail Lab Test, CN=Mail Lab Ancient Root 1999',
        ]);
        expect(c.certificates.reduce((n, x) => n + x.bytes + 3, 0)).toBe(7096); // tshark: certificates_length 7096
        expect(c.certificates[0]!.san).toHaveLength(63);
        expect(c.chainProblems.map((p) => p.code)).toEqual(['large-chain']);
      }
      for (const x of c.certificates) expect(x).toMatchObject({ keyType: 'RSA', signatureAlgorithm: 'sha256WithRSAEncryption' });
    }
  });

  it('checks the names the lab clients would use (--server-name) and trusts nothing it is not told to', async () => {
    const { connections } = await analyzeCapture(join(CAPTURES, 'abort-after-shd.pcap'), { serverName: 'mx7.customer-7.lab.test' });
    const normal = connections.find((c) => c.server.ip === '10.77.0.1')!;
    const big = connections.find((c) => c.server.ip === '10.77.0.4')!;
    expect(normal.chainProblems.map((p) => p.code)).toEqual(['name-mismatch']);
    expect(big.chainProblems.map((p) => p.code)).toEqual(['large-chain']);
  });

  it('says that TLS 1.3 hides the chain', async () => {
    const { connections } = await analyzeCapture(join(CAPTURES, 'good-993-imaps.pcap'));
    const tls13 = connections.filter((c) => c.tls.version === 'TLS 1.3');
    expect(tls13.length).toBeGreaterThan(0);
    for (const c of tls13) {
      expect(c.certificates).toEqual([]);
      expect(c.notes.join('\n')).toContain('TLS 1.3 encrypts the server\'s Certificate message');
    }
  });
});
