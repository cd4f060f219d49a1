import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  encryptedAlert,
  parseAlert,
  parseCertificateMessage,
  parseClientHello,
  parseExtensions,
  parseServerHello,
  parseServerKeyExchange,
  parseSslv2ClientHello,
  type KeyShareValue,
  type PreSharedKeyValue,
  type Result,
} from '../../src/tls/messages.js';
import type { ClientHello, ServerHello } from '../../src/tls/types.js';

/**
 * Fixtures: handshake message bodies cut from public captures, with what tshark 4.0.17 decoded in
 * the same frame (test/tls/fixtures/extract.mjs regenerates them; the tests do not need tshark).
 * A frame can hold several messages, so a fixture's tshark fields may include its neighbours'.
 */
interface Fixture {
  name: string;
  source: string;
  frame: number;
  type: number | 'sslv2' | 'alert';
  recordVersion: number;
  bodyHex: string;
  tshark: Record<string, string[]>;
}

const FIXTURE_DIR = new URL('./fixtures/', import.meta.url);
const fixtures = new Map<string, Fixture>(
  readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(new URL(f, FIXTURE_DIR), 'utf8')) as Partial<Fixture>)
    .filter((fx): fx is Fixture => typeof fx.bodyHex === 'string' && typeof fx.name === 'string' && fx.tshark !== undefined)
    .map((fx) => [fx.name, fx]),
);

function fixture(name: string): Fixture {
  const fx = fixtures.get(name);
  if (!fx) throw new Error(`no fixture ${name}`);
  return fx;
}
const body = (name: string) => Buffer.from(fixture(name).bodyHex, 'hex');
const hex16 = (s: string) => parseInt(s, 16);
const field = (fx: Fixture, f: string) => fx.tshark[`tls.${f}`] ?? [];

function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got error: ${r.error}`);
  return r.value;
}

function clientHello(name: string): ClientHello {
  const fx = fixture(name);
  return ok(parseClientHello(body(name), fx.recordVersion));
}

function serverHello(name: string): ServerHello {
  return ok(parseServerHello(body(name)));
}

/** Our ClientHello against tshark's decode of the same bytes. */
function expectClientHelloMatchesTshark(name: string, ch: ClientHello): void {
  const fx = fixture(name);
  expect(ch.version).toBe(hex16(field(fx, 'handshake.version')[0]!));
  expect(ch.random).toBe(field(fx, 'handshake.random')[0]);
  expect(ch.sessionId).toBe(field(fx, 'handshake.session_id')[0] ?? '');
  expect(ch.cipherSuites).toEqual(field(fx, 'handshake.ciphersuite').map(hex16));
  expect(ch.compressionMethods).toEqual(field(fx, 'handshake.comp_method').map(Number));
  expect(ch.extensions.map((e) => e.type)).toEqual(field(fx, 'handshake.extension.type').map(Number));
  expect(ch.extensions.map((e) => e.length)).toEqual(field(fx, 'handshake.extension.len').map(Number));
  expect(ch.sni).toBe(field(fx, 'handshake.extensions_server_name')[0] ?? null);
  expect(ch.supportedVersions).toEqual(field(fx, 'handshake.extensions.supported_version').map(hex16));
  expect(ch.alpn).toEqual(field(fx, 'handshake.extensions_alpn_str'));
  expect(ch.supportedGroups).toEqual(field(fx, 'handshake.extensions_supported_group').map(hex16));
  expect(ch.ecPointFormats).toEqual(field(fx, 'handshake.extensions_ec_point_format').map(Number));
  expect(ch.signatureAlgorithms).toEqual(ch.extensions.find((e) => e.type === 13)?.value ?? []);
  // tshark's sig_hash_alg gathers every signature scheme list in the hello, in wire order.
  expect(
    ch.extensions.filter((e) => [13, 34, 50].includes(e.type)).flatMap((e) => e.value as number[]),
  ).toEqual(field(fx, 'handshake.sig_hash_alg').map(hex16));
  expect(ch.keyShareGroups).toEqual(field(fx, 'handshake.extensions_key_share_group').map(Number));
  expect(ch.pskKeyExchangeModes).toEqual(field(fx, 'extension.psk_ke_mode').map(Number));
  expect(ch.extensions.filter((e) => e.grease).map((e) => e.name)).toEqual(
    ch.extensions.filter((e) => (e.type & 0x0f0f) === 0x0a0a).map(() => 'GREASE'),
  );
  const rsl = field(fx, 'record_size_limit');
  if (rsl.length) expect(ch.extensions.find((e) => e.type === 28)?.value).toBe(Number(rsl[0]));
  const cca = field(fx, 'compress_certificate.algorithm');
  if (cca.length) expect(ch.extensions.find((e) => e.type === 27)?.value).toEqual(cca.map(Number));
  const pskIdentityLengths = field(fx, 'handshake.extensions.psk.identity.identity_length');
  if (pskIdentityLengths.length) {
    const psk = ch.extensions.find((e) => e.type === 41)?.value as PreSharedKeyValue;
    expect(psk.kind === 'client' && psk.identities.map((i) => i.identityLength)).toEqual(pskIdentityLengths.map(Number));
  }
}

function expectServerHelloMatchesTshark(name: string, sh: ServerHello): void {
  const fx = fixture(name);
  expect(sh.version).toBe(hex16(field(fx, 'handshake.version')[0]!));
  expect(sh.random).toBe(field(fx, 'handshake.random')[0]);
  expect(sh.sessionId).toBe(field(fx, 'handshake.session_id')[0] ?? '');
  expect(sh.cipherSuite).toBe(hex16(field(fx, 'handshake.ciphersuite')[0]!));
  expect(sh.extensions.map((e) => e.type)).toEqual(field(fx, 'handshake.extension.type').map(Number));
  expect(sh.extensions.map((e) => e.length)).toEqual(field(fx, 'handshake.extension.len').map(Number));
  const selected = field(fx, 'handshake.extensions.supported_version');
  expect(sh.selectedVersion).toBe(selected.length ? hex16(selected[0]!) : sh.version);
  const group = field(fx, 'handshake.extensions_key_share_group');
  if (group.length) expect(sh.keyShareGroup).toBe(Number(group[0]));
  const selectedIdentity = field(fx, 'handshake.extensions.psk.identity.selected');
  if (selectedIdentity.length) {
    expect(sh.extensions.find((e) => e.type === 41)?.value).toEqual({ kind: 'server', selectedIdentity: Number(selectedIdentity[0]) });
  }
}

describe('ClientHello agrees with tshark', () => {
  it.each([
    'tls12-client-hello',
    'tls13-client-hello',
    'hrr-client-hello',
    'chrome-client-hello',
    'draft16-client-hello',
    'psk-client-hello',
    'facebook-client-hello',
    'firefox-client-hello',
  ])('%s', (name) => {
    const ch = clientHello(name);
    expectClientHelloMatchesTshark(name, ch);
    expect(ch.sslv2).toBe(false);
    expect(ch.recordVersion).toBe(hex16(field(fixture(name), 'record.version')[0]!));
    expect(ch.problems).toBeUndefined();
  });

  it('TLS 1.2 OpenSSL hello: no SNI, DEFLATE offered, heartbeat, TLS 1.2 sig/hash pairs', () => {
    const ch = clientHello('tls12-client-hello');
    expect(ch.sni).toBeNull();
    expect(ch.compressionMethods).toEqual([1, 0]);
    expect(ch.cipherSuites).toHaveLength(80);
    expect(ch.cipherSuites.at(-1)).toBe(0x00ff);
    expect(ch.extensions.find((e) => e.name === 'heartbeat')?.value).toBe(1);
    expect(ch.supportedVersions).toEqual([]);
  });

  it('TLS 1.3 hello: key_share entries with their key sizes', () => {
    const ch = clientHello('tls13-client-hello');
    expect(ch.sni).toBe('example.ulfheim.net');
    const ks = ch.extensions.find((e) => e.name === 'key_share')?.value as KeyShareValue;
    expect(ks).toEqual({ kind: 'client', shares: [{ group: 29, keyLength: 32 }] });
  });

  it('Chrome hello: GREASE everywhere, ECH and ALPS kept raw, hybrid post-quantum key share', () => {
    const ch = clientHello('chrome-client-hello');
    expect(ch.cipherSuites[0]).toBe(0xeaea);
    expect(ch.extensions[0]).toMatchObject({ name: 'GREASE', grease: true, length: 0 });
    expect(ch.extensions.at(-1)).toMatchObject({ name: 'GREASE', grease: true, length: 1 });
    expect(ch.supportedVersions).toEqual([0x8a8a, 0x0304, 0x0303]);
    expect(ch.keyShareGroups).toEqual([0xcaca, 25497, 29]);
    const ech = ch.extensions.find((e) => e.type === 65037)!;
    expect(ech).toMatchObject({ name: 'encrypted_client_hello', length: 218 });
    expect(ech.value).toBeUndefined();
    expect(ch.extensions.find((e) => e.type === 17513)?.name).toBe('application_settings');
  });

  it('resumption hellos: pre_shared_key is last and decoded, session tickets', () => {
    const psk = clientHello('psk-client-hello');
    expect(psk.preSharedKey).toBe(true);
    expect(psk.extensions.at(-1)?.name).toBe('pre_shared_key');
    expect(psk.extensions.at(-1)?.value).toMatchObject({ kind: 'client', binderLengths: [32] });
    const fb = clientHello('facebook-client-hello');
    expect(fb.supportedVersions).toEqual([0x0304, 0xfb1a]);
    expect(fb.extensions.find((e) => e.name === 'early_data')?.value).toEqual({ kind: 'indication' });
    expect(fb.sessionTicket).toBe(false);
  });

  it('draft-16 hello: key_share at its draft code point 40 still yields the groups', () => {
    const ch = clientHello('draft16-client-hello');
    expect(ch.extensions.find((e) => e.type === 40)?.name).toBe('key_share (draft)');
    expect(ch.keyShareGroups).toEqual([29, 23, 24]);
    expect(ch.extensions.find((e) => e.name === 'padding')?.value).toEqual({ length: 98, allZero: true });
  });
});

describe('SSLv2-compatible ClientHello', () => {
  function expectMatchesTshark(name: string, ch: ClientHello) {
    const fx = fixture(name);
    expect(ch.sslv2).toBe(true);
    expect(ch.recordVersion).toBe(0x0002);
    expect(ch.version).toBe(hex16(field(fx, 'handshake.version')[0]!));
    const specs = field(fx, 'handshake.cipherspec').map(hex16);
    expect(ch.cipherSuites).toEqual(specs.map((s) => (s >> 16 === 0 ? s & 0xffff : s)));
    expect(ch.random.length / 2).toBe(Number(field(fx, 'handshake.challenge_length')[0]));
    expect(ch.extensions).toEqual([]);
    expect(ch.problems).toBeUndefined();
  }

  it('offering TLS 1.0 (2-byte header), SSLv2 kinds keep 24 bits, TLS suites become 16-bit', () => {
    const ch = ok(parseSslv2ClientHello(body('sslv2-client-hello')));
    expectMatchesTshark('sslv2-client-hello', ch);
    expect(ch.version).toBe(0x0301);
    expect(ch.cipherSuites.slice(0, 2)).toEqual([0x010080, 0x030080]);
    expect(ch.cipherSuites).toContain(0x0039);
  });

  it('offering SSL 3.0', () => {
    const ch = ok(parseSslv2ClientHello(body('sslv2-ssl3-client-hello')));
    expectMatchesTshark('sslv2-ssl3-client-hello', ch);
    expect(ch.version).toBe(0x0300);
  });

  it('the 3-byte header form, with and without padding, reads the same', () => {
    const twoByte = body('sslv2-client-hello');
    const message = twoByte.subarray(2);
    const expected = ok(parseSslv2ClientHello(twoByte));
    const threeByte = Buffer.concat([Buffer.from([message.length >> 8, message.length & 0xff, 0]), message]);
    expect(ok(parseSslv2ClientHello(threeByte))).toEqual(expected);
    const padded = Buffer.concat([
      Buffer.from([(message.length + 5) >> 8, (message.length + 5) & 0xff, 5]),
      message,
      Buffer.alloc(5),
    ]);
    expect(ok(parseSslv2ClientHello(padded))).toEqual(expected);
  });

  it('an SSLv2 record that is not a CLIENT-HELLO is an error', () => {
    const record = Buffer.from(body('sslv2-client-hello'));
    record[2] = 4;
    const r = parseSslv2ClientHello(record);
    expect(r).toEqual({ ok: false, error: 'SSLv2 record: message type 4 (SSLv2 SERVER-HELLO) is not a CLIENT-HELLO' });
  });
});

describe('ServerHello agrees with tshark', () => {
  it.each([
    'tls12-server-hello',
    'tls13-server-hello',
    'hrr-server-hello',
    'chrome-server-hello',
    'draft16-server-hello',
    'psk-server-hello',
    'facebook-server-hello',
  ])('%s', (name) => {
    expectServerHelloMatchesTshark(name, serverHello(name));
  });

  it('TLS 1.2: selected version is the legacy version, no key share', () => {
    const sh = serverHello('tls12-server-hello');
    expect(sh).toMatchObject({ selectedVersion: 0x0303, cipherSuite: 0x0004, helloRetryRequest: false, keyShareGroup: null, alpn: null });
    expect(sh.extensions[0]?.value).toEqual({ renegotiatedConnectionLength: 0 });
    expect(sh.problems).toBeUndefined();
    expect(sh.downgradeSentinel).toBeUndefined();
  });

  it('TLS 1.3: version from supported_versions, group from key_share', () => {
    const sh = serverHello('tls13-server-hello');
    expect(sh).toMatchObject({ version: 0x0303, selectedVersion: 0x0304, keyShareGroup: 29, helloRetryRequest: false });
  });

  it('HelloRetryRequest: recognised by its random, names the group it wants', () => {
    const sh = serverHello('hrr-server-hello');
    expect(sh.helloRetryRequest).toBe(true);
    expect(sh.keyShareGroup).toBe(23); // the client offered only secp224r1 (21)
    expect(sh.extensions.find((e) => e.name === 'key_share')?.value).toEqual({ kind: 'hello_retry_request', group: 23 });
  });

  it('Chrome: X25519Kyber768 share, and Facebook Fizz experimental version', () => {
    expect(serverHello('chrome-server-hello')).toMatchObject({ keyShareGroup: 25497, selectedVersion: 0x0304 });
    expect(serverHello('facebook-server-hello')).toMatchObject({ keyShareGroup: 29, selectedVersion: 0xfb1a });
  });

  it('detects the TLS 1.3 downgrade sentinel', () => {
    const b = Buffer.from(body('tls12-server-hello'));
    Buffer.from('444f574e47524401', 'hex').copy(b, 2 + 24);
    expect(ok(parseServerHello(b)).downgradeSentinel).toBe('tls12');
    b[2 + 31] = 0;
    expect(ok(parseServerHello(b)).downgradeSentinel).toBe('tls11');
  });
});

describe('malformed messages from real captures (tshark: "No more room for vector", "Vector length too large")', () => {
  it('draft-16 ServerHello: draft layout, and the empty signature_algorithms extension is a problem, not a failure', () => {
    const sh = serverHello('draft16-server-hello');
    expect(sh).toMatchObject({ version: 0x7f10, selectedVersion: 0x7f10, sessionId: '', cipherSuite: 0x1303, keyShareGroup: 24 });
    expect(sh.extensions.map((e) => [e.name, e.length])).toEqual([
      ['signature_algorithms', 0],
      ['key_share (draft)', 101],
    ]);
    expect(sh.extensions[0]!.value).toBeUndefined();
    expect(sh.problems).toEqual(['extension signature_algorithms: signature algorithm list length needs 2 bytes, only 0 left']);
  });

  it('ClientHello with an empty pre_shared_key (the server answered decode_error)', () => {
    const ch = clientHello('empty-psk-client-hello');
    expectClientHelloMatchesTshark('empty-psk-client-hello', ch);
    expect(ch.sni).toBe('www.google.com');
    expect(ch.preSharedKey).toBe(true);
    expect(ch.extensions.at(-1)).toMatchObject({ name: 'pre_shared_key', length: 0 });
    expect(ch.problems).toEqual(['extension pre_shared_key: identities length needs 2 bytes, only 0 left']);
  });

  it('ClientHello whose cookie claims 2051 bytes inside a 9-byte extension', () => {
    const fx = fixture('bad-cookie-client-hello');
    const ch = clientHello('bad-cookie-client-hello');
    expectClientHelloMatchesTshark('bad-cookie-client-hello', ch);
    expect(field(fx, 'handshake.extensions.cookie_len')).toEqual(['2051']);
    expect(ch.problems).toEqual(['extension cookie: cookie length 2051 exceeds the 7 bytes left']);
    expect(ch.sni).toBe('localhost');
  });

  it('an extensions length running past the body keeps the hello and what fits', () => {
    // The extensions length field sits right after the compression methods.
    const r = Buffer.from(body('tls13-client-hello'));
    let off = 2 + 32;
    off += 1 + r[off]!;
    off += 2 + r.readUInt16BE(off);
    off += 1 + r[off]!;
    r.writeUInt16BE(65000, off);
    const ch = ok(parseClientHello(r, 0x0301));
    expect(ch.sni).toBe('example.ulfheim.net');
    expect(ch.keyShareGroups).toEqual([29]);
    expect(ch.problems).toEqual([`ClientHello: extensions length 65000 exceeds the ${r.length - off - 2} bytes left`]);
  });

  it('one extension length running past the block stops the walk with a problem', () => {
    const r = Buffer.from(body('tls13-client-hello'));
    // server_name is the first extension: type at +0, length at +2 of the block.
    let off = 2 + 32;
    off += 1 + r[off]!;
    off += 2 + r.readUInt16BE(off);
    off += 1 + r[off]!;
    const blockLength = r.readUInt16BE(off);
    r.writeUInt16BE(65000, off + 2 + 2);
    const ch = ok(parseClientHello(r, 0x0301));
    expect(ch.extensions).toEqual([{ type: 0, name: 'server_name', length: 65000, grease: false }]);
    expect(ch.sni).toBeNull();
    expect(ch.problems).toEqual([`extension server_name length 65000 exceeds the ${blockLength - 4} bytes left in the extensions block`]);
  });

  it('a bad field before the extensions is an error, in one line', () => {
    const r = Buffer.from(body('tls12-client-hello'));
    r.writeUInt16BE(0x2000, 2 + 32 + 1); // cipher suites length
    const res = parseClientHello(r, 0x0301);
    expect(res).toEqual({ ok: false, error: `ClientHello: cipher suites length 8192 exceeds the ${r.length - 37} bytes left` });
  });
});

describe('Certificate', () => {
  it('TLS 1.2 chain agrees with tshark', () => {
    const fx = fixture('tls12-certificate');
    const cert = ok(parseCertificateMessage(body('tls12-certificate'), false));
    expect(cert.certificates.map((c) => c.length)).toEqual(field(fx, 'handshake.certificate_length').map(Number));
    expect(cert.totalLength).toBe(Number(field(fx, 'handshake.certificates_length')[0]));
    expect(cert.certificates.every((c) => c[0] === 0x30)).toBe(true); // DER SEQUENCE
    expect(cert.requestContext).toBeUndefined();
  });

  it('TLS 1.3 (decrypted with the published key log): context and per-entry extensions', () => {
    const fx = fixture('tls13-certificate');
    const cert = ok(parseCertificateMessage(body('tls13-certificate'), true));
    expect(cert.certificates.map((c) => c.length)).toEqual(field(fx, 'handshake.certificate_length').map(Number));
    expect(cert.totalLength).toBe(Number(field(fx, 'handshake.certificates_length')[0]));
    expect(cert.requestContext).toBe('');
    expect(cert.entryExtensions).toEqual([[]]);
  });

  it('the wrong layout flag is an error, not garbage', () => {
    expect(parseCertificateMessage(body('tls13-certificate'), false).ok).toBe(false);
    expect(parseCertificateMessage(body('tls12-certificate'), true).ok).toBe(false);
  });

  it('certificates are copies that outlive the input buffer', () => {
    const b = Buffer.from(body('tls12-certificate'));
    const cert = ok(parseCertificateMessage(b, false));
    const before = Buffer.from(cert.certificates[0]!);
    b.fill(0);
    expect(cert.certificates[0]).toEqual(before);
  });
});

describe('ServerKeyExchange', () => {
  it('ECDHE: named curve and signature algorithm agree with tshark', () => {
    const fx = fixture('ecdhe-server-key-exchange');
    const ske = ok(parseServerKeyExchange(body('ecdhe-server-key-exchange')));
    expect(ske).toEqual({
      namedGroup: hex16(field(fx, 'handshake.server_named_curve')[0]!),
      dhBits: null,
      length: 296,
      kind: 'ecdhe',
      signatureAlgorithm: hex16(field(fx, 'handshake.sig_hash_alg')[0]!),
    });
    expect(ske.namedGroup).toBe(29);
  });

  it('DHE (TLS 1.0, no signature algorithm): prime size in bits agrees with tshark p_len', () => {
    const fx = fixture('sslv2-upgrade-server-key-exchange');
    const ske = ok(parseServerKeyExchange(body('sslv2-upgrade-server-key-exchange'), 0x0039));
    const pBytes = Number(field(fx, 'handshake.p_len')[0]);
    expect(ske).toMatchObject({ kind: 'dhe', namedGroup: null, signatureAlgorithm: null });
    expect(ske.dhBits).toBe(pBytes * 8);
    expect(ske.dhBits).toBe(1024);
  });

  it('the negotiated suite settles the layout', () => {
    const dhe = body('sslv2-upgrade-server-key-exchange');
    const ecdhe = body('ecdhe-server-key-exchange');
    expect(ok(parseServerKeyExchange(ecdhe, 0xc013))).toMatchObject({ kind: 'ecdhe', namedGroup: 29 });
    expect(ok(parseServerKeyExchange(ecdhe, 0x0039)).kind).toBe('unknown'); // not a DHE body
    expect(ok(parseServerKeyExchange(dhe, 0x0004)).kind).toBe('unknown'); // RSA suites have no such parameters
    expect(ok(parseServerKeyExchange(dhe, 0x1301)).kind).toBe('dhe'); // no rule for the suite: by shape
  });

  it('best effort on truncated bodies, unknown when nothing fits', () => {
    expect(ok(parseServerKeyExchange(body('ecdhe-server-key-exchange').subarray(0, 5)))).toMatchObject({ kind: 'ecdhe', namedGroup: 29 });
    expect(ok(parseServerKeyExchange(body('sslv2-upgrade-server-key-exchange').subarray(0, 140)))).toMatchObject({ kind: 'dhe', dhBits: 1024 });
    expect(ok(parseServerKeyExchange(Buffer.from([0x01])))).toEqual({
      namedGroup: null,
      dhBits: null,
      length: 1,
      kind: 'unknown',
      signatureAlgorithm: null,
    });
  });
});

describe('Alert', () => {
  it('plaintext alert agrees with tshark', () => {
    const fx = fixture('draft16-alert');
    expect(ok(parseAlert(body('draft16-alert')))).toEqual({
      level: Number(field(fx, 'alert_message.level')[0]),
      description: Number(field(fx, 'alert_message.desc')[0]),
      name: 'unknown_ca',
      encrypted: false,
    });
  });

  it('anything but 2 bytes is not a plaintext alert', () => {
    expect(parseAlert(Buffer.from([2]))).toEqual({ ok: false, error: 'alert of 1 byte (a plaintext alert is 2 bytes)' });
    expect(parseAlert(Buffer.alloc(26)).ok).toBe(false);
    expect(encryptedAlert()).toEqual({ level: 0, description: -1, name: 'encrypted', encrypted: true });
  });
});

describe('parseExtensions on its own', () => {
  it('decodes a server block and reports stray bytes', () => {
    // The extensions of the TLS 1.3 ServerHello: supported_versions (4 + 2) and key_share (4 + 36).
    const sh = body('tls13-server-hello');
    const block = sh.subarray(sh.length - 46);
    const { extensions, problems } = parseExtensions(block, 'server_hello');
    expect(extensions.map((e) => e.name)).toEqual(['supported_versions', 'key_share']);
    expect(problems).toEqual([]);
    const withStray = parseExtensions(Buffer.concat([block, Buffer.from([0, 1])]), 'server_hello');
    expect(withStray.problems).toEqual(['extensions block ends with 2 stray bytes']);
  });
});

it('loads every fixture', () => {
  expect(fixtures.size).toBe(24);
});

describe('robustness: no input makes a parser throw', () => {
  const parsers: Record<string, (b: Buffer) => Result<unknown>> = {
    1: (b) => parseClientHello(b, 0x0301),
    2: (b) => parseServerHello(b),
    11: (b) => parseCertificateMessage(b, false),
    tls13Certificate: (b) => parseCertificateMessage(b, true),
    12: (b) => parseServerKeyExchange(b),
    sslv2: (b) => parseSslv2ClientHello(b),
    alert: (b) => parseAlert(b),
  };
  const all = [...fixtures.values()];

  function expectWellFormed(r: Result<unknown>) {
    if (!r.ok) {
      expect(r.error.length).toBeGreaterThan(0);
      expect(r.error).not.toContain('\n');
    }
  }

  it.each(all.map((fx) => [fx.name, fx] as const))('%s truncated at every length', (_, fx) => {
    const full = Buffer.from(fx.bodyHex, 'hex');
    const tls13Cert = fx.type === 11 && fx.name.startsWith('tls13');
    const parse = parsers[tls13Cert ? 'tls13Certificate' : String(fx.type)]!;
    for (let n = 0; n <= full.length; n++) {
      const part = full.subarray(0, n);
      expectWellFormed(parse(part));
      if (fx.type === 11) expectWellFormed(parseCertificateMessage(part, !tls13Cert));
      if (fx.type === 1 || fx.type === 2) expectWellFormed(parseServerHello(part));
    }
    expect(parse(full).ok).toBe(true);
  });

  it.each(all.map((fx) => [fx.name, fx] as const))('%s with any single byte changed', (_, fx) => {
    const full = Buffer.from(fx.bodyHex, 'hex');
    const tls13Cert = fx.type === 11 && fx.name.startsWith('tls13');
    const parse = parsers[tls13Cert ? 'tls13Certificate' : String(fx.type)]!;
    const original = JSON.stringify(parse(full));
    // A hello's version, random and session id are read whole (RFC 5246 §7.4.1.2): a change there must show. TLS 1.3
    // drafts before 22 had no session id in the ServerHello.
    const hello = fx.type === 1 || fx.type === 2;
    const kept = !hello ? 0 : fx.name.startsWith('draft') && fx.type === 2 ? 2 + 32 : 2 + 32 + 1 + full[34]!;
    const copy = Buffer.from(full);
    const unnoticed: number[] = [];
    let noticed = 0;
    for (let i = 0; i < copy.length; i++) {
      for (const x of [0xff, 0x80]) {
        copy[i] = full[i]! ^ x;
        const r = parse(copy);
        expectWellFormed(r);
        const same = r.ok && JSON.stringify(r) === original;
        if (!same) noticed++;
        else if (i < kept) unnoticed.push(i);
        copy[i] = full[i]!;
      }
    }
    expect(unnoticed, `${fx.name}: bytes of the hello's fixed part whose change is not read`).toEqual([]);
    // A parser that read nothing would notice no change at all.
    expect(noticed, `${fx.name}: changes refused or read as another message`).toBeGreaterThan(0);
  });

  it('empty and tiny inputs', () => {
    for (const parse of Object.values(parsers)) {
      for (const b of [Buffer.alloc(0), Buffer.from([0xff]), Buffer.alloc(40, 0xff)]) expectWellFormed(parse(b));
    }
    expect(parseClientHello(Buffer.alloc(0), 0x0301)).toEqual({ ok: false, error: 'ClientHello: version needs 2 bytes, only 0 left' });
  });
});
