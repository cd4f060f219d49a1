#!/usr/bin/env node
/**
 * Plants names of every kind in a shipped lab capture and its servers' logs, for the redaction tests
 * (test/report/redact-planted.test.ts): the capture's IPv4 and IPv6 addresses are rewritten in each frame's IP
 * header (Ethernet, pcap), and the same addresses in the logs, with the syslog host, Postfix's reverse-DNS name
 * (`unknown[…]` → `NAME[…]`), Dovecot's `user=<…>` and `session=<…>` replaced by planted values. The join of
 * log to capture still works: the planted logs name the planted addresses.
 *
 *   node scripts/plant-names.mjs OUTDIR   writes OUTDIR/planted.pcap, planted-postfix.log, planted-dovecot.log
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every planted value, as the tests grep for them. */
export const PLANTED = {
  ipv4: { '10.77.0.100': '203.0.113.77', '10.77.0.1': '198.51.100.61', '10.77.0.2': '198.51.100.62', '10.77.0.3': '198.51.100.63', '10.77.0.4': '198.51.100.64', '10.77.0.5': '198.51.100.65' },
  ipv6Prefix: ['fd77::', '2001:db8:77::'],
  syslogHost: 'mx-planted-syslog',
  rdns: 'laptop-ceo.planted-rdns.example',
  user: 'alice.planted@planted-users.example',
  session: 'PlantedSessionZ9',
};

/** The capture's frames with their IP addresses rewritten (pcap, little-endian, Ethernet). */
export function plantCapture(bytes) {
  const out = Buffer.from(bytes);
  if (out.readUInt32LE(0) !== 0xa1b2c3d4 || out.readUInt32LE(20) !== 1) throw new Error('expected a little-endian Ethernet pcap');
  const v4 = new Map(Object.entries(PLANTED.ipv4).map(([a, b]) => [Buffer.from(a.split('.').map(Number)).toString('hex'), Buffer.from(b.split('.').map(Number))]));
  let off = 24;
  while (off + 16 <= out.length) {
    const len = out.readUInt32LE(off + 8);
    const frame = off + 16;
    const type = out.readUInt16BE(frame + 12);
    if (type === 0x0800) {
      for (const at of [frame + 14 + 12, frame + 14 + 16]) {
        const to = v4.get(out.subarray(at, at + 4).toString('hex'));
        if (to) to.copy(out, at);
      }
    } else if (type === 0x86dd) {
      for (const at of [frame + 14 + 8, frame + 14 + 24]) {
        if (out.readUInt16BE(at) === 0xfd77 && out.readUInt32BE(at + 2) === 0) Buffer.from([0x20, 0x01, 0x0d, 0xb8, 0x00, 0x77]).copy(out, at);
      }
    }
    off = frame + len;
  }
  return out;
}

/** A log's lines with the planted names and addresses. */
export function plantLog(text) {
  let s = text;
  // Longest first: 10.77.0.100 before 10.77.0.1.
  for (const [from, to] of Object.entries(PLANTED.ipv4).sort((a, b) => b[0].length - a[0].length)) s = s.split(from).join(to);
  s = s.split(PLANTED.ipv6Prefix[0]).join(PLANTED.ipv6Prefix[1]);
  s = s.replace(/^(\w{3} [ \d]\d \d\d:\d\d:\d\d) mail /gm, `$1 ${PLANTED.syslogHost} `);
  s = s.replace(/unknown\[/g, `${PLANTED.rdns}[`);
  s = s.replace(/user=<>/g, `user=<${PLANTED.user}>`);
  s = s.replace(/session=<[^>]*>/g, `session=<${PLANTED.session}>`);
  return s;
}

export function plantAll(root, outDir) {
  writeFileSync(join(outDir, 'planted.pcap'), plantCapture(readFileSync(join(root, 'captures/abort-after-shd.pcap'))));
  writeFileSync(join(outDir, 'planted-postfix.log'), plantLog(readFileSync(join(root, 'captures/server-postfix.log'), 'utf8')));
  writeFileSync(join(outDir, 'planted-dovecot.log'), plantLog(readFileSync(join(root, 'captures/server-dovecot.log'), 'utf8')));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  plantAll(process.cwd(), process.argv[2] ?? '.');
}
