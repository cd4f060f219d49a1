/**
 * What a Postfix line says about a client connection. smtpd (and its master.cf aliases: submission/smtpd,
 * submissions/smtpd, smtps/smtpd) serves one client at a time, from `connect from` to `disconnect from`;
 * postscreen and tlsproxy serve many and name the client on every line; tlsmgr names only the TLS
 * session-cache key smtpd asked it to store or look up; master names the pid of a child that died.
 */
import { canonicalIp } from './address.js';
import type { LogAddress, LogEvent } from './types.js';

export interface PostfixFacts {
  client: LogAddress | null;
  server: LogAddress | null;
  event: LogEvent;
  session: string | null;
  aboutPid: number | null;
}

/** Services whose lines name the remote client first: `name[ip]:port` (smtpd) or `[ip]:port` (postscreen). */
const CLIENT_SERVICES = new Set(['smtpd', 'postscreen', 'tlsproxy']);

// `unknown[10.77.0.100]:50648`, `mx.example.com[2001:db8::1]`, `[10.0.0.1]:25`: a name (maybe empty), an address, maybe a port.
const BRACKETED = /(?:^|[\s=(<,])[A-Za-z0-9._-]*\[((?:IPv6:)?[0-9A-Fa-f:.]+)\](?::(\d{1,5}))?/g;
// tlsmgr's and smtpd's session-cache key: hex id, then the server's address and port, then the library version.
const CACHE_KEY = /([0-9A-Fa-f]{16,}&s=[^\s&]+&l=\d+)/;
const MASTER_PID = /^(?:warning: )?process \S+ pid (\d+) (?:exit status|killed by signal)/;

export function postfixFacts(service: string, message: string): PostfixFacts {
  const facts: PostfixFacts = { client: null, server: null, event: 'other', session: null, aboutPid: null };
  if (CLIENT_SERVICES.has(service)) {
    const found = addresses(message, 2);
    if (found.length > 0) facts.client = found[0]!.address;
    // postscreen/tlsproxy: `CONNECT from [client]:port to [server]:port`.
    if (found.length > 1 && / to \S*\[/.test(message) && found[1]!.index > message.indexOf(' to ')) facts.server = found[1]!.address;
    if (service === 'smtpd') {
      if (message.startsWith('connect from ')) facts.event = 'connect';
      else if (message.startsWith('disconnect from ')) facts.event = 'disconnect';
    }
  }
  if (service === 'smtpd' || service === 'tlsmgr') {
    const key = CACHE_KEY.exec(message);
    if (key) facts.session = key[1]!;
  }
  if (service === 'master') {
    const m = MASTER_PID.exec(message);
    if (m) facts.aboutPid = Number(m[1]);
  }
  return facts;
}

function addresses(message: string, max: number): { address: LogAddress; index: number }[] {
  const out: { address: LogAddress; index: number }[] = [];
  BRACKETED.lastIndex = 0;
  for (let m = BRACKETED.exec(message); m !== null && out.length < max; m = BRACKETED.exec(message)) {
    const ip = canonicalIp(m[1]!);
    if (ip === null) continue;
    const port = m[2] !== undefined ? Number(m[2]) : null;
    out.push({ address: { ip, port: port !== null && port <= 65535 ? port : null }, index: m.index });
  }
  return out;
}
