/** Types for scripts/make-expensive-chains.mjs (used by test/tls/signatures.test.ts). */

export interface ExpensiveChainOptions {
  /** TLS connections in the capture (100). */
  connections?: number;
  /** Certificates in each Certificate message (12), all with the same subject and issuer name. */
  certificates?: number;
  /** The kind of key ('rsa'). */
  key?: 'rsa' | 'dsa';
  /** Key size in bits: RSA modulus or DSA prime (16,384 for RSA, 10,000 for DSA). */
  bits?: number;
  /** Every connection sends the first connection's chain (false: every certificate is another one). */
  same?: boolean;
  /** 'each': connection N asks for mxN.mail.example.test; 'one': all ask for mail.example.test. */
  names?: 'one' | 'each';
  seed?: number;
}

/** A classic pcap (raw IPv4) of such connections. */
export function expensiveChainCapture(options?: ExpensiveChainOptions): Buffer;

/** One such certificate (DER), from a byte source `rand(n)`. */
export function expensiveCertificate(rand: (n: number) => Buffer, options?: { key?: 'rsa' | 'dsa'; bits?: number; cn?: string; serial?: number }): Buffer;
