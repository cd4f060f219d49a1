/**
 * A hostile capture for the terminal: every string a stranger chooses carries terminal escapes.
 * - Connection 1, SMTP on port 25: the banner and the EHLO reply carry OSC 0 (window title), the client's EHLO
 *   ESC[2J (clear screen), and the server refuses STARTTLS with a reply carrying ESC[2J, OSC 8 (hyperlink),
 *   a C1 CSI (U+009B), DEL and U+202E (right-to-left override).
 * - Connection 2, SMTPS on port 465: the ClientHello's SNI carries ESC[2J and U+202E; the server sends the
 *   certificate of cert.pem (made by make-cert.sh: subject and SAN names with the same escapes), then
 *   ServerHelloDone, and the client closes: failed at step 4.
 * - Connection 3, SMTPS on port 465: a complete handshake with the same certificate (for `diff`).
 * - A Postfix log whose lines for connections 1 and 2 carry OSC 8, ESC[2J, C1, DEL and U+202E (in the messages:
 *   a client name with them is not read as naming the client, and the line would not be joined).
 * The capture's file name carries OSC 0 too.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flow, handshakeMessage, pcapFile, tlsRecord, u16, u24, type Packet } from '../pcap-writer.js';

const HERE = new URL('.', import.meta.url).pathname;

/** ESC[2J, OSC 0, OSC 8, C1 CSI, DEL, RLO: what every hostile string below carries some of. */
export const HOSTILE = {
  clear: '\u001b[2J',
  title: '\u001b]0;owned\u0007',
  link: '\u001b]8;;http://x.example/\u0007click\u001b]8;;\u0007',
  c1: '\u009b31m',
  del: '\u007f',
  rlo: '\u202e',
};

const CONTENT_HANDSHAKE = 22;
const CONTENT_CCS = 20;
const CONTENT_APPDATA = 23;

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8 = (s: string) => Buffer.from(s, 'utf8');



/** A TLS 1.2 ClientHello offering ECDHE-RSA-AES128-GCM-SHA256 with this SNI (raw bytes). */
function clientHello(sni: Buffer): Buffer {
  const name = Buffer.concat([Buffer.from([0]), u16(sni.length), sni]);
  const serverName = Buffer.concat([u16(0), u16(name.length + 2), u16(name.length), name]);
  const body = Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(2), u16(0xc02f), Buffer.from([1, 0]), u16(serverName.length), serverName]);
  return tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(1, body), { version: 0x0301 });
}

function serverFlight(der: Buffer): Buffer {
  const hello = Buffer.concat([u16(0x0303), Buffer.alloc(32, 9), Buffer.from([0]), u16(0xc02f), Buffer.from([0])]);
  const certificate = Buffer.concat([u24(der.length + 3), u24(der.length), der]);
  return tlsRecord(CONTENT_HANDSHAKE, Buffer.concat([handshakeMessage(2, hello), handshakeMessage(11, certificate), handshakeMessage(14, Buffer.alloc(0))]));
}

/** 2027-01-15 11:00:00 UTC (the certificate is valid from 2026-12-07), and `s` seconds later. */
const T0 = Date.UTC(2027, 0, 15, 11, 0, 0) / 1000;

function timed(packets: Packet[], start: number): Packet[] {
  return packets.map((p, i) => ({ ...p, time: start + i * 0.001 }));
}

export interface HostileFiles {
  pcap: string;
  log: string;
}

/** Writes the capture and the log into `dir`; returns their paths. */
export function writeHostileTerminalCapture(dir: string): HostileFiles {
  const der = Buffer.from(new X509Certificate(readFileSync(join(HERE, 'cert.pem'))).raw);
  const h = HOSTILE;

  const smtp = new Flow('10.0.0.1', '10.0.0.2', 40000, 25).handshake();
  smtp.send('server', utf8(`220 mx${h.title}.example ESMTP ${h.rlo}Postfix\r\n`));
  smtp.send('client', utf8(`EHLO client${h.clear}.example\r\n`));
  smtp.send('server', utf8(`250-mx${h.title}.example\r\n250-PIPELINING\r\n250 STARTTLS\r\n`));
  smtp.send('client', latin1('STARTTLS\r\n'));
  smtp.send('server', utf8(`454 4.7.0 TLS not available ${h.clear}${h.link} ${h.c1} ${h.del} ${h.rlo}reversed\r\n`));
  smtp.send('client', latin1('QUIT\r\n'));
  smtp.send('server', latin1('221 2.0.0 Bye\r\n'));
  smtp.fin('client').fin('server');

  const sni = utf8(`mail${h.clear}${h.rlo}.example`);
  const rejected = new Flow('10.0.0.1', '10.0.0.2', 40001, 465).handshake();
  rejected.send('client', clientHello(sni));
  rejected.send('server', serverFlight(der));
  rejected.fin('client').fin('server');

  const complete = new Flow('10.0.0.3', '10.0.0.2', 40002, 465).handshake();
  complete.send('client', clientHello(sni));
  complete.send('server', serverFlight(der));
  complete.send('client', Buffer.concat([tlsRecord(CONTENT_HANDSHAKE, handshakeMessage(16, Buffer.alloc(66, 4))), tlsRecord(CONTENT_CCS, Buffer.from([1])), tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(40, 5))]));
  complete.send('server', Buffer.concat([tlsRecord(CONTENT_CCS, Buffer.from([1])), tlsRecord(CONTENT_HANDSHAKE, Buffer.alloc(40, 6))]));
  complete.send('client', tlsRecord(CONTENT_APPDATA, Buffer.alloc(30, 8)));
  complete.fin('client').fin('server');

  const packets = [...timed(smtp.packets, T0), ...timed(rejected.packets, T0 + 2), ...timed(complete.packets, T0 + 4)];
  const pcap = join(dir, `hostile${h.title}.pcap`);
  writeFileSync(pcap, pcapFile(packets));

  const log = join(dir, `postfix${h.clear}.log`);
  const lines = [
    `Jan 15 11:00:00 mail postfix/smtpd[100]: connect from unknown[10.0.0.1]:40000`,
    `Jan 15 11:00:00 mail postfix/smtpd[100]: warning: TLS library problem: ${h.clear}${h.c1}${h.del}${h.rlo}reversed ${h.link}`,
    `Jan 15 11:00:00 mail postfix/smtpd[100]: lost connection after STARTTLS from unknown[10.0.0.1]:40000`,
    `Jan 15 11:00:00 mail postfix/smtpd[100]: disconnect from unknown[10.0.0.1]:40000 ehlo=1 starttls=0/1 commands=1/2`,
    `Jan 15 11:00:02 mail postfix/smtpd[101]: connect from unknown[10.0.0.1]:40001`,
    `Jan 15 11:00:02 mail postfix/smtpd[101]: SSL_accept error from unknown[10.0.0.1]:40001: lost connection ${h.clear}`,
    `Jan 15 11:00:02 mail postfix/smtpd[101]: disconnect from unknown[10.0.0.1]:40001`,
  ];
  writeFileSync(log, lines.join('\n') + '\n');
  return { pcap, log };
}
