/**
 * Captures whose strangers' strings are hostile: a client's SNI and a server's certificate (subject, issuer,
 * subjectAltName) chosen to break out of a report — Markdown links and images, raw HTML, an unclosed comment, a
 * bare CR. Each connection is a TLS 1.2 handshake that the client rejects after ServerHelloDone with a
 * bad_certificate alert, so that the certificate's problems (the name it does not cover, and its SANs) reach the
 * diagnosis. The certificates are built here (DER by hand, signed with node:crypto): openssl will not put a CR
 * in a dNSName.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { Flow, handshakeMessage, pcapFile, tlsRecord, u16, u24, type Packet } from '../robustness/pcap-writer.js';

// ---- DER ------------------------------------------------------------------------------------------------
function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const oid = (dotted: string) => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a! * 40 + b!];
  for (const n of rest) {
    const part = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) part.unshift((v & 0x7f) | 0x80);
    bytes.push(...part);
  }
  return der(0x06, Buffer.from(bytes));
};
const utf8 = (s: string) => der(0x0c, Buffer.from(s, 'utf8'));
const utcTime = (s: string) => der(0x17, Buffer.from(s, 'latin1'));
const name = (cn: string, o?: string) => seq(...(o ? [set(seq(oid('2.5.4.10'), utf8(o)))] : []), set(seq(oid('2.5.4.3'), utf8(cn))));

const KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

/** A certificate (self-issued unless `issuer` is given) with these names; the bytes of a dNSName are taken as they are. */
export function certificate(opts: { subject: string; issuer?: string; organisation?: string; dnsNames: string[]; validity?: [string, string] }): Buffer {
  const san = seq(...opts.dnsNames.map((n) => der(0x82, Buffer.from(n, 'latin1'))));
  const extensions = der(0xa3, seq(seq(oid('2.5.29.17'), der(0x04, san))));
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, Buffer.from([0x01, 0x23, 0x45])),
    ECDSA_SHA256,
    name(opts.issuer ?? opts.subject, opts.organisation),
    seq(utcTime(opts.validity?.[0] ?? '230101000000Z'), utcTime(opts.validity?.[1] ?? '330101000000Z')),
    name(opts.subject, opts.organisation),
    KEY.publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, KEY.privateKey);
  return seq(tbs, ECDSA_SHA256, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

// ---- TLS ------------------------------------------------------------------------------------------------
const HANDSHAKE = 22;
const ALERT = 21;

/** A TLS 1.2 ClientHello asking for `sni` (bytes as they are), offering two suites. */
export function clientHello(sni: string): Buffer {
  const host = Buffer.from(sni, 'latin1');
  const serverName = Buffer.concat([u16(host.length + 3), Buffer.from([0]), u16(host.length), host]);
  const extensions = Buffer.concat([u16(0), u16(serverName.length), serverName]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(4), u16(0xc02f), u16(0x009c), Buffer.from([1, 0]), u16(extensions.length), extensions]);
  return tlsRecord(HANDSHAKE, handshakeMessage(1, body), { version: 0x0301 });
}

/** ServerHello (TLS 1.2, ECDHE-RSA-AES128-GCM), Certificate with `chain`, ServerHelloDone, in one record. */
export function serverFlight(chain: Buffer[]): Buffer {
  const hello = handshakeMessage(2, Buffer.concat([u16(0x0303), Buffer.alloc(32, 9), Buffer.from([0]), u16(0xc02f), Buffer.from([0]), u16(0)]));
  const list = Buffer.concat(chain.map((c) => Buffer.concat([u24(c.length), c])));
  const certificateMessage = handshakeMessage(11, Buffer.concat([u24(list.length), list]));
  return tlsRecord(HANDSHAKE, Buffer.concat([hello, certificateMessage, handshakeMessage(14, Buffer.alloc(0))]));
}


export interface HostileConnection {
  sni: string;
  chain: Buffer[];
}

/** One connection per entry, one after the other, each rejected by its client (bad_certificate) after ServerHelloDone. */
export function hostileCapture(connections: readonly HostileConnection[]): Buffer {
  const packets: Packet[] = [];
  connections.forEach((c, i) => {
    const flow = new Flow('10.0.0.1', '10.0.0.2', 40000 + i, 443);
    flow.handshake().send('client', clientHello(c.sni)).send('server', serverFlight(c.chain));
    flow.send('client', tlsRecord(ALERT, Buffer.from([2, 42]))).fin('client').fin('server');
    const start = 1_700_000_000 + i;
    packets.push(...flow.packets.map((p, k) => ({ ...p, time: start + k * 0.001 })));
  });
  return pcapFile(packets);
}

/** The strings of the issue: a live link, a tracking image, an open block, an unclosed comment, a bare CR. */
export const HOSTILE_SNI = '[Download fix](https://evil.example/) <img src=x> <details open> <!--';
export const HOSTILE = {
  sni: HOSTILE_SNI,
  subject: '![pixel](https://evil.example/p.png) # Heading <b>bold</b> *x* _y_ `code` | pipe',
  issuer: '<!-- hidden --> <script>alert(1)</script> ~~gone~~ www.evil.example mail@evil.example',
  dnsNames: ['mail.example.com', 'evil.example\r| forged | row |\r<details open>', '[link](javascript:alert(1))'],
};

/** The standard hostile capture: three connections, each with the hostile strings in its SNI and certificate. */
export function standardHostileCapture(): Buffer {
  const cert = certificate({ subject: HOSTILE.subject, issuer: HOSTILE.issuer, organisation: '<a href="https://evil.example/">Org</a>', dnsNames: HOSTILE.dnsNames });
  return hostileCapture([
    { sni: HOSTILE.sni, chain: [cert] },
    { sni: '`` `x` ``\r\n# Heading\n- item <!-- -->', chain: [cert] },
    { sni: 'www.evil.example', chain: [cert] },
  ]);
}
