/**
 * A TLS 1.3 server judges the client's certificate only after the client's Finished (RFC 8446 §4.4.2.4): a
 * server that requires one and gets none (certificate_required) or one it rejects (unknown_ca, bad_certificate, …)
 * answers the Finished with an alert and closes. Seen from outside the client's Finished completed the
 * handshake; this undoes that, so the report says the handshake failed, and why.
 *
 * - With a key log the alert was read: a fatal alert from the server after the client's Finished.
 * - Without one, the server's answer is one record of exactly an encrypted alert's size (walk.ts
 *   TLS13_ENCRYPTED_ALERT_RECORD_LENGTH), it sends nothing else, and it closes the connection.
 */
import type { Connection } from '../tcp/types.js';
import { TLS13_ENCRYPTED_ALERT_RECORD_LENGTH, type Walk } from './walk.js';

const TLS_RECORD_HEADER_LENGTH = 5;

/** Whether the walk was revised (it then ends in the server's alert, not complete). */
export function reviseTls13Refusal(walk: Walk, conn: Connection, server: { tlsStart: number; flightBytes: number }): boolean {
  if (walk.shape !== 'tls13' || !walk.complete || walk.completedAt === null) return false;
  const completedAt = walk.completedAt;
  const alert = walk.alerts.find((a) => a.from === 'server' && !a.alert.encrypted && a.alert.level === 2 && a.time >= completedAt.time);
  if (alert) {
    undoCompletion(walk);
    alert.duringHandshake = true;
    return true;
  }
  const answer = walk.tls13ServerAnswer;
  if (!answer || answer.length !== TLS13_ENCRYPTED_ALERT_RECORD_LENGTH) return false;
  const closed = conn.fin.server || conn.rst.server;
  const nothingElse = conn.bytes.server === server.tlsStart + server.flightBytes + TLS_RECORD_HEADER_LENGTH + answer.length;
  if (!closed || !nothingElse) return false;
  undoCompletion(walk);
  walk.alerts.push({ from: 'server', frame: answer.frame, time: answer.time, alert: { level: 0, description: -1, name: 'encrypted', encrypted: true }, duringHandshake: true });
  const at = walk.timeline.findIndex((t) => t.frame > answer.frame);
  const entry = { from: 'server' as const, frame: answer.frame, time: answer.time, type: 'Alert (encrypted, by its size)', step: null, length: answer.length };
  if (at < 0) walk.timeline.push(entry);
  else walk.timeline.splice(at, 0, entry);
  return true;
}

function undoCompletion(walk: Walk): void {
  walk.complete = false;
  walk.completedAt = null;
  walk.lastStep = walk.steps.reduce((max, s) => Math.max(max, s.step), 0);
}
