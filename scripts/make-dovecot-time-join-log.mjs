#!/usr/bin/env node
// Makes captures/dovecot-time-join.log from the lab's Dovecot log (captures/server-dovecot.log), for the join of
// Dovecot lines without a client by service and time (issue 18). Two connections lose the `Disconnected` line that
// names their client, as when the login process dies before writing it:
//   - imaps 10.77.0.100:56952 (abort-after-shd.pcap, 11:57:59, the only IMAP connection open then): its line is
//     replaced by master's `service(imap-login): child N killed with signal 9`; its verbose_ssl lines, `SSL error`
//     and the master line join it by time;
//   - imaps 10.77.0.100:24118 (good-993-imaps.pcap, 11:57:17, when other IMAP connections were open in the same
//     second): its lines must stay unattributed, with those connections as candidates.
// Run: node scripts/make-dovecot-time-join-log.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const lines = readFileSync(join(root, 'captures/server-dovecot.log'), 'utf8').split('\n');
const out = [];
for (const line of lines) {
  if (line.includes('Disconnected:') && line.includes('rport=56952,')) {
    out.push('2026-11-28 11:57:59 master: Error: service(imap-login): child 31337 killed with signal 9');
    continue;
  }
  if (line.includes('Disconnected:') && line.includes('rport=24118,')) continue;
  out.push(line);
}
if (out.length !== lines.length - 1) throw new Error('the lab log changed: the two Disconnected lines were not found');
writeFileSync(join(root, 'captures/dovecot-time-join.log'), out.join('\n'));
