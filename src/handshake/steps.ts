import { HandshakeType } from '../tls/names.js';
import type { Side } from '../tcp/types.js';

/**
 * The classic nine steps of a full TLS 1.2-and-earlier handshake (RFC 5246 §7.3, figure 1), the frame of
 * reference every report uses. Other shapes (resumption, TLS 1.3, SSLv2) are mapped onto these in walk.ts.
 */
export const STEPS = [
  { step: 1, name: 'ClientHello', by: 'client' },
  { step: 2, name: 'ServerHello', by: 'server' },
  { step: 3, name: 'Certificate/ServerKeyExchange', by: 'server' },
  { step: 4, name: 'ServerHelloDone', by: 'server' },
  { step: 5, name: 'ClientKeyExchange', by: 'client' },
  { step: 6, name: 'client ChangeCipherSpec', by: 'client' },
  { step: 7, name: 'client Finished', by: 'client' },
  { step: 8, name: 'server ChangeCipherSpec', by: 'server' },
  { step: 9, name: 'server Finished', by: 'server' },
] as const satisfies readonly { step: number; name: string; by: Side }[];

/**
 * The same nine steps as a TLS 1.3 handshake (RFC 8446 §2) takes them: everything after ServerHello is encrypted,
 * and there is no ServerKeyExchange, ServerHelloDone or ClientKeyExchange. Step 4 is the server's first flight
 * delivered (walk.ts says when that can be told from outside), 7 the client's encrypted Finished, which
 * completes the handshake (9); a TLS 1.3 connection never reaches 5, 6 or 8 on its own.
 */
export const TLS13_STEPS = [
  { step: 1, name: 'ClientHello', by: 'client' },
  { step: 2, name: 'ServerHello', by: 'server' },
  { step: 3, name: 'server flight (encrypted)', by: 'server' },
  { step: 4, name: 'end of server flight', by: 'server' },
  { step: 5, name: 'client Certificate (encrypted)', by: 'client' },
  { step: 6, name: 'client ChangeCipherSpec (compatibility)', by: 'client' },
  { step: 7, name: 'client Finished (encrypted)', by: 'client' },
  { step: 8, name: 'server ready', by: 'server' },
  { step: 9, name: 'handshake complete', by: 'server' },
] as const satisfies readonly { step: number; name: string; by: Side }[];

export type StepNumber = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** The name of a step in a handshake of this shape (walk.ts's Shape: 'tls13' has names of its own). */
export function stepName(step: number, shape?: string): string {
  if (step === 0) return 'nothing (no ClientHello)';
  const steps = shape === 'tls13' ? TLS13_STEPS : STEPS;
  return steps[step - 1]?.name ?? `step ${step}`;
}

/**
 * Zeek's ssl_history letters (scripts/base/protocols/ssl/main.zeek): one letter per plaintext handshake
 * message, ChangeCipherSpec and alert, upper case when the client sent it. Kept identical so a history
 * reads the same as in Zeek's ssl.log.
 */
export const HISTORY_LETTER_BY_HANDSHAKE_TYPE: Readonly<Record<number, string>> = {
  [HandshakeType.HelloRequest]: 'h',
  [HandshakeType.ClientHello]: 'c',
  [HandshakeType.ServerHello]: 's', // a HelloRetryRequest is 'j', decided by the caller
  [HandshakeType.HelloVerifyRequest]: 'v',
  [HandshakeType.NewSessionTicket]: 't',
  [HandshakeType.EndOfEarlyData]: 'e',
  [HandshakeType.HelloRetryRequest]: 'j', // draft numbering
  [HandshakeType.EncryptedExtensions]: 'o',
  [HandshakeType.Certificate]: 'x',
  [HandshakeType.ServerKeyExchange]: 'k',
  [HandshakeType.CertificateRequest]: 'r',
  [HandshakeType.ServerHelloDone]: 'n',
  [HandshakeType.CertificateVerify]: 'y',
  [HandshakeType.ClientKeyExchange]: 'g',
  [HandshakeType.Finished]: 'f',
  [HandshakeType.CertificateURL]: 'w',
  [HandshakeType.CertificateStatus]: 'u',
  [HandshakeType.SupplementalData]: 'a',
  [HandshakeType.KeyUpdate]: 'p',
  [HandshakeType.MessageHash]: 'm',
};
export const HISTORY_UNKNOWN_HANDSHAKE = 'z';
export const HISTORY_HELLO_RETRY_REQUEST = 'j';
export const HISTORY_CHANGE_CIPHER_SPEC = 'i';
export const HISTORY_ALERT = 'l';
/** Zeek caps the history; so do we. */
export const HISTORY_MAX_LENGTH = 100;
