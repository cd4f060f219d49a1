/**
 * The caches and shortcuts that make `analyze` cheaper per connection must not change a single answer:
 * results by cache equal results computed afresh, every report gets its own copies, and formatting
 * without ICU gives what toLocaleString gives.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectChain } from '../../src/tls/chain-checks.js';
import { ja3, ja3String, ja4, ja4Parts } from '../../src/tls/fingerprints.js';
import { groupThousands } from '../../src/text/words.js';
import type { ClientHello } from '../../src/tls/types.js';
import { clientHello } from '../helpers/client-hello.js';

const CERTS = join(import.meta.dirname, 'fixtures/certs');

function der(name: string): Buffer {
  const pem = readFileSync(join(CERTS, `${name}.pem`), 'latin1');
  return Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

const SNI = (name: string) => [{ name, source: 'the name the client asked for (SNI)' }];
const JUNE_2030 = Date.UTC(2030, 5, 1) / 1000;

describe('chain checks by cache', () => {
  it('answer each connection as if it were the first, with its own time and names', () => {
    const chain = [der('leaf-expired'), der('inter'), der('inter')];
    const first = inspectChain(chain, { time: JUNE_2030, names: SNI('mail.example.test') });
    // The same chain again (the cached path), a year later: the expiry is measured from the new time.
    const later = inspectChain(chain, { time: JUNE_2030 + 365 * 86400, names: SNI('mail.example.test') });
    expect(later.problems.map((p) => p.code)).toEqual(first.problems.map((p) => p.code));
    expect(later.problems[0]!.message).not.toBe(first.problems[0]!.message);
    // Another name is another answer, not the cached one.
    const otherName = inspectChain(chain, { time: JUNE_2030, names: SNI('imap.example.test') });
    expect(otherName.problems.map((p) => p.code)).toContain('name-mismatch');
    expect(first.problems.map((p) => p.code)).not.toContain('name-mismatch');
  });

  it('hand every report its own problems; the certificate summaries are shared (the report copies them)', () => {
    const chain = [der('leaf'), der('inter'), der('inter')];
    const a = inspectChain(chain, { time: JUNE_2030 });
    const saved = JSON.stringify(a);
    a.problems[0]!.message = 'changed by a reader of the first report';
    a.problems.push({ code: 'duplicate', index: 9, message: 'added' });
    const b = inspectChain(chain, { time: JUNE_2030 });
    expect(JSON.stringify(b)).toBe(saved);
    // Kept by every open connection that sent them: one copy, not one per connection.
    expect(b.certificates[0]).toBe(a.certificates[0]);
  });
});

/** Hellos that differ by `i` in two suites and one extension. */
function hello(i: number): ClientHello {
  return clientHello({
    cipherSuites: [0x0a0a, 0x1301, 0x1302, 0xc02b, i & 0xffff, (i * 7919) & 0xffff],
    extensionTypes: [0x0a0a, 0, 10, 11, 13, 16, 43, 51, 1000 + (i % 50000)],
    sni: 'mail.example.test',
    supportedVersions: [0x0304, 0x0303],
    supportedGroups: [0x1a1a, 29, 23, 24],
    ecPointFormats: [0],
    signatureAlgorithms: [0x0403, 0x0804, 0x0401],
    keyShareGroups: [29],
  });
}

describe('fingerprints by cache', () => {
  it('are the hashes of their strings, past the number of hashes kept', () => {
    // More distinct hellos than the cache holds, then the first ones again (evicted by then).
    const order = [...Array.from({ length: 5000 }, (_, i) => i), 0, 1, 2, 4999];
    for (const i of order) {
      const ch = hello(i);
      expect(ja3(ch)).toBe(createHash('md5').update(ja3String(ch)).digest('hex'));
      const p = ja4Parts(ch);
      const h = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
      expect(ja4(ch)).toBe(`${p.a}_${h(p.ciphers)}_${h(p.extensions)}`);
    }
  });

  it('are right for hellos too long to keep their strings', () => {
    const ch = hello(1);
    ch.cipherSuites = Array.from({ length: 3000 }, (_, i) => 0x0100 + i);
    for (let k = 0; k < 2; k++) expect(ja3(ch)).toBe(createHash('md5').update(ja3String(ch)).digest('hex'));
    expect(ja3String(ch).length).toBeGreaterThan(2048);
  });

  it('sort JA4 lists as their hex forms sort', () => {
    const p = ja4Parts(hello(0xbeef));
    const ciphers = p.ciphers.split(',');
    expect(ciphers).toEqual([...ciphers].sort());
    const [extensions, signatures] = p.extensions.split('_');
    expect(extensions!.split(',')).toEqual([...extensions!.split(',')].sort());
    expect(signatures).toBe('0403,0804,0401');
  });
});

describe('groupThousands', () => {
  it("writes what toLocaleString('en-US') writes", () => {
    const values = [0, -0, 1, 999, 1000, 6001, 1234567, -5, 1.5, 12345.678, NaN, Infinity, 2 ** 53, 2 ** 53 - 1, 1e21];
    for (let i = 0; i < 2000; i++) values.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))));
    for (const n of values) expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
  });
});
