/**
 * What the server's own log adds to a diagnosis, in one sentence appended to it: the OpenSSL state the server
 * stopped in (Postfix `SSL_accept:error in <state>`, Dovecot verbose_ssl's last `SSL: where=…, ret=…: <state>`),
 * how the connection ended for it (`lost connection`, `Connection reset by peer`, Dovecot's `TLS handshaking: …`)
 * and what that state means: "server log: `SSL_accept:error in SSLv3/TLS write server done` then `lost
 * connection`: the server waited for the client's key exchange".
 */
import type { LogEntry } from './index.js';
import type { Side } from '../tcp/types.js';
import type { ConnectionReport } from '../handshake/report.js';

/**
 * What the server was doing in each OpenSSL state (SSL_state_string_long, OpenSSL 1.1/3.0 names without the
 * `SSLv3/TLS ` / `TLSv1.3 ` prefix; 1.0's names where they differ).
 */
const STATE_MEANING: Readonly<Record<string, string>> = {
  'before SSL initialization': "the server was waiting for the ClientHello",
  'before/accept initialization': "the server was waiting for the ClientHello",
  'read client hello': 'the server read the ClientHello and did not answer it (nothing acceptable in it?)',
  'write server hello': 'the server stopped while sending its first flight',
  'write certificate': 'the server stopped while sending its first flight',
  'write key exchange': 'the server stopped while sending its first flight',
  'write certificate request': "the server waited for the client's certificate",
  'write server done': "the server waited for the client's key exchange",
  'read client certificate': "the server waited for the client's key exchange",
  'read client key exchange': "the server waited for the client's ChangeCipherSpec and Finished",
  'read certificate verify': "the server waited for the client's ChangeCipherSpec and Finished",
  'read change cipher spec': "the server waited for the client's Finished",
  'write encrypted extensions': 'the server stopped while sending its first flight',
  'write server certificate verify': 'the server stopped while sending its first flight',
  'write finished': "the server waited for the client's Finished",
  'early data': "the server waited for the client's Finished",
  'read finished': "the handshake was complete on the server's side",
  'write session ticket': "the handshake was complete on the server's side",
  'write change cipher spec': "the server stopped while sending its last flight",
  'SSL negotiation finished successfully': "the handshake was complete on the server's side",
};

/** What an alert the server received most likely means (names as OpenSSL's SSL_alert_desc_string_long writes them). */
const RECEIVED_ALERT: Readonly<Record<string, string>> = {
  'unknown ca': "the client does not trust the CA that issued the server's certificate",
  'bad certificate': "the client rejected the server's certificate",
  'certificate expired': "the client found the server's certificate expired",
  'certificate unknown': "the client rejected the server's certificate",
  'unsupported certificate': "the client does not support the server's certificate",
  'handshake failure': 'the client found nothing acceptable in the server\'s choice',
  'protocol version': 'the client refuses the version the server chose',
  'decrypt error': 'the client could not verify the server\'s key exchange',
  'close notify': 'the client closed the connection cleanly',
};

const POSTFIX_ERROR_IN = /^SSL_accept:error in (.+)$/;
const POSTFIX_ACCEPT_ERROR = /^SSL_accept error from .*?\](?::\d+)?: (.+)$/;
const POSTFIX_ALERT = /^SSL3 alert (read|write):(fatal|warning):(.+)$/;
const POSTFIX_LOST = /^(?:lost connection|timeout) after \S+/;
const DOVECOT_STATE = /^SSL: where=0x[0-9a-f]+, ret=-?\d+: (.+)$/;
const DOVECOT_ALERT = /^SSL alert: where=0x(\w+), ret=\d+: (fatal|warning) (.+)$/;
const DOVECOT_HANDSHAKING = /TLS handshaking: (.+?)(?:, session=<[^>]*>)?$/;
const DOVECOT_DISCONNECTED = /^Disconnected:? (.+?) \(/;
const DOVECOT_CHILD_KILLED = /^(?:Error: )?(service\([a-z0-9-]+\): child \d+ killed with signal \d+)/;

/** The sentence, or null when the lines say nothing about how the connection ended. */
export function serverLogSentence(lines: readonly LogEntry[], matchedByTime: boolean | 'service'): string | null {
  const head = matchedByTime === 'service' ? 'server log (matched by service and time: the only connection of its service open then)' : matchedByTime ? 'server log (matched by client address and time)' : 'server log';
  let state: { quote: string; state: string } | null = null;
  let alert: { quote: string; name: string; received: boolean } | null = null;
  let reason: string | null = null;
  let fallback: string | null = null;
  // Dovecot writes TLS teardown lines after the line that names the client: the state that counts is the one before.
  let dovecotNamed = false;
  for (const e of lines) {
    const m = e.message;
    if (e.daemon === 'postfix' && e.service === 'smtpd') {
      let x: RegExpExecArray | null;
      if ((x = POSTFIX_ERROR_IN.exec(m)) && x[1] !== 'error') state = { quote: m, state: x[1]! };
      else if ((x = POSTFIX_ALERT.exec(m)) && x[2] === 'fatal') alert = { quote: m, name: x[3]!, received: x[1] === 'read' };
      else if ((x = POSTFIX_ACCEPT_ERROR.exec(m)) && x[1] !== '-1') reason ??= x[1]!;
      else if (POSTFIX_LOST.test(m)) fallback = m.replace(/ from \S+$/, '');
    } else if (e.daemon === 'dovecot') {
      let x: RegExpExecArray | null;
      if ((x = DOVECOT_STATE.exec(m))) {
        if (!dovecotNamed) state = { quote: x[1]!, state: x[1]! };
      } else if ((x = DOVECOT_ALERT.exec(m)) && x[2] === 'fatal') {
        // where 0x4004 = SSL_CB_READ_ALERT, 0x4008 = SSL_CB_WRITE_ALERT.
        alert = { quote: `SSL alert: ${x[2]} ${x[3]}`, name: x[3]!, received: (parseInt(x[1]!, 16) & 0x04) !== 0 };
      } else if (e.service === 'master' && (x = DOVECOT_CHILD_KILLED.exec(m))) {
        reason ??= x[1]!;
      } else if (m.includes('rip=')) {
        dovecotNamed = true;
        const h = DOVECOT_HANDSHAKING.exec(m);
        if (h) reason = `TLS handshaking: ${h[1]!.replace(/, .*$/, '')}`;
        const d = DOVECOT_DISCONNECTED.exec(m);
        if (d) fallback = `Disconnected: ${d[1]}`;
      }
    }
  }
  if (alert) {
    const name = alert.name.toLowerCase();
    if (alert.received) {
      const meaning = RECEIVED_ALERT[name];
      return `${head}: \`${alert.quote}\`: the server received the client's alert ${alert.name}${meaning ? ` (${meaning})` : ''}`;
    }
    return `${head}: \`${alert.quote}\`: the server sent alert ${alert.name}`;
  }
  if (state) {
    const meaning = STATE_MEANING[state.state.replace(/^(?:SSLv3\/TLS|TLSv1\.3|SSLv3) /, '')];
    const then = reason ?? fallback;
    return `${head}: \`${state.quote}\`${then ? ` then \`${then}\`` : ''}${meaning ? `: ${meaning}` : ''}`;
  }
  if (reason ?? fallback) return `${head}: \`${reason ?? fallback}\``;
  return null;
}

/** What the join needs to know of how the capture saw a connection end (a report, or stream-output.ts's join stub). */
export interface ConnectionEnding {
  how: ConnectionReport['end']['how'];
  by: Side | null;
  frame: number | null;
  /** The server's last TLS message before the end, as the timeline names it (TLS 1.3: its encrypted flight), and how long before. */
  after: string | null;
  afterMs: number | null;
}

export function endingOf(r: ConnectionReport): ConnectionEnding {
  const frame = r.end.frame;
  const event = frame !== null ? r.tcp.events.find((e) => e.frame === frame && (e.kind === 'fin' || e.kind === 'rst')) : undefined;
  const last = frame !== null ? r.messages.filter((m) => m.from === 'server' && m.frame <= frame).pop() : undefined;
  const after = last ? (last.type.startsWith('encrypted server flight') ? "the server's encrypted flight" : last.type) : null;
  const afterMs = last && event ? Math.max(0, event.atMs - last.atMs) : null;
  return { how: r.end.how, by: r.end.by, frame, after, afterMs };
}

const POSTFIX_ACCEPT_ERROR_LINE = /^SSL_accept error from .*?\](?::\d+)?: (lost connection|-1|Connection reset by peer)$/;

/**
 * Postfix's `SSL_accept error from …: lost connection` (before Postfix 3.? `: -1`; `Connection reset by peer` for an
 * RST) explained from the capture: what the client did, in which frame, how long after which server message.
 * null when the lines have no such line or the capture does not show the client ending the connection.
 */
export function postfixAcceptErrorExplained(lines: readonly LogEntry[], ending: ConnectionEnding): string | null {
  const line = lines.find((e) => e.daemon === 'postfix' && e.service === 'smtpd' && POSTFIX_ACCEPT_ERROR_LINE.test(e.message));
  if (!line || ending.by !== 'client' || (ending.how !== 'fin' && ending.how !== 'rst') || ending.frame === null) return null;
  const reason = POSTFIX_ACCEPT_ERROR_LINE.exec(line.message)![1]!;
  const when = ending.after !== null ? ` ${ending.afterMs !== null ? `${formatMs(ending.afterMs)} ` : ''}after ${ending.after}` : '';
  const did = ending.how === 'fin' ? `the client closed the connection (FIN, frame ${ending.frame})${when}` : `the client reset the connection (RST, frame ${ending.frame})${when}`;
  const saw =
    reason === 'Connection reset by peer'
      ? "Postfix's read in SSL_accept failed with that reset"
      : ending.how === 'fin'
        ? 'Postfix saw end of file in SSL_accept'
        : 'Postfix saw the connection end in SSL_accept';
  const older = reason === '-1' ? ' (`-1` is how older Postfix versions write it)' : '';
  return `\`SSL_accept error … ${reason}\`${older}: ${did}: ${saw}`;
}

function formatMs(ms: number): string {
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}
