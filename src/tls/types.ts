import type { Side } from '../tcp/types.js';

/** A TLS extension as it appeared on the wire, with its decoded value where we decode it. */
export interface Extension {
  type: number;
  /** IANA name, e.g. 'server_name', or 'unknown(0x04d2)' (hex, as names.ts writes every unknown value). GREASE values are named 'GREASE'. */
  name: string;
  length: number;
  grease: boolean;
  /** Decoded value for the extensions we understand (shape depends on the type); undefined otherwise. */
  value?: unknown;
}

export interface ClientHello {
  /** True when this came in an SSLv2-compatible (SSLv2 record format) hello. */
  sslv2: boolean;
  /** Record-layer version of the record that carried it (0x0002 for SSLv2 format). */
  recordVersion: number;
  /** legacy_version / client_version. */
  version: number;
  random: string; // hex
  sessionId: string; // hex, '' when empty
  cipherSuites: number[];
  compressionMethods: number[];
  extensions: Extension[];
  // Convenience views of decoded extensions (empty/undefined when absent):
  sni: string | null;
  alpn: string[];
  /** supported_versions list, in order (GREASE included). */
  supportedVersions: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  keyShareGroups: number[];
  pskKeyExchangeModes: number[];
  /** session_ticket extension present with a non-empty ticket (a resumption attempt). */
  sessionTicket: boolean;
  /** pre_shared_key extension present (TLS 1.3 resumption attempt). */
  preSharedKey: boolean;
  /**
   * Added by the TLS messages parser: what was wrong in an otherwise readable hello (malformed
   * extensions block, an extension whose content does not decode, …), one line each. Absent when
   * nothing was wrong.
   */
  problems?: string[];
}

export interface ServerHello {
  /** legacy_version / server_version. */
  version: number;
  /** Version actually negotiated: supported_versions when present, else `version`. */
  selectedVersion: number;
  random: string;
  sessionId: string;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
  /** A TLS 1.3 HelloRetryRequest (ServerHello with the special random). */
  helloRetryRequest: boolean;
  /** key_share group chosen by the server (TLS 1.3), or null. */
  keyShareGroup: number | null;
  alpn: string | null;
  /**
   * Added: the RFC 8446 §4.1.3 downgrade sentinel in the last 8 bytes of the random ('tls12' for
   * DOWNGRD\x01, 'tls11' for DOWNGRD\x00): a TLS 1.3 server that was made to negotiate less.
   */
  downgradeSentinel?: 'tls12' | 'tls11';
  /** Added: what was wrong in an otherwise readable ServerHello, one line each; absent when nothing. */
  problems?: string[];
}

export interface CertificateMessage {
  /** DER of each certificate, in the order sent. */
  certificates: Buffer[];
  /** Length of the certificate_list field as declared on the wire. */
  totalLength: number;
  /** Added, TLS 1.3 only: certificate_request_context (hex, '' when empty). */
  requestContext?: string;
  /** Added, TLS 1.3 only: the extensions of each CertificateEntry, parallel to `certificates`. */
  entryExtensions?: Extension[][];
  /** Added: problems in per-certificate extensions (TLS 1.3), one line each; absent when nothing. */
  problems?: string[];
}

export interface ServerKeyExchange {
  /** Named group for ECDHE, null for DHE/RSA-export or unknown shapes. */
  namedGroup: number | null;
  /** DH prime size in bits for DHE, else null. */
  dhBits: number | null;
  length: number;
  /** Added: which shape the parameters had ('unknown' for RSA-export, PSK, SRP or unreadable ones). */
  kind?: 'ecdhe' | 'dhe' | 'unknown';
  /** Added: TLS 1.2 SignatureAndHashAlgorithm of the signature, null when absent (TLS ≤ 1.1, anon). */
  signatureAlgorithm?: number | null;
}

export interface Alert {
  level: number; // 1 warning, 2 fatal; 0 when encrypted (unknown)
  description: number; // -1 when encrypted
  /** 'unknown_ca', … ; 'encrypted' when the alert was sent under encryption. */
  name: string;
  encrypted: boolean;
  /** Sent encrypted and read with the key log's secrets (decrypt.ts). Absent otherwise. */
  decrypted?: true;
}

/**
 * What the TLS decoder found in one connection, in the order it was found. Every item carries the
 * side that sent it, the frame that completed it (Wireshark's convention) and its time.
 */
export type TlsEvent =
  | {
      kind: 'handshake';
      from: Side;
      frame: number;
      time: number;
      /** HandshakeType number, or -1 for an encrypted handshake message whose type cannot be read. */
      type: number;
      /** 'ClientHello', 'ServerHelloDone', …, 'EncryptedHandshakeMessage'. */
      name: string;
      /** Length of the message body (or of the encrypted record payload). */
      length: number;
      encrypted: boolean;
      /** Sent encrypted and read with the key log's secrets (decrypt.ts): `type` and `name` are the real ones. */
      decrypted?: true;
      clientHello?: ClientHello;
      serverHello?: ServerHello;
      certificate?: CertificateMessage;
      serverKeyExchange?: ServerKeyExchange;
      /** For SSLv2 messages: the SSLv2 message type. */
      sslv2Type?: number;
      /** SSLv2 CLIENT-MASTER-KEY: the cipher kind the client chose (24-bit), when the message holds one. */
      sslv2CipherKind?: number;
    }
  | { kind: 'change-cipher-spec'; from: Side; frame: number; time: number }
  | { kind: 'alert'; from: Side; frame: number; time: number; alert: Alert }
  | {
      kind: 'application-data';
      from: Side;
      frame: number;
      time: number;
      /** Length of the record payload. */
      length: number;
    }
  /**
   * Bytes that are not TLS, or a malformed structure. `note` is one line for the user; `malformed` names the
   * message whose structure is wrong (`ChangeCipherSpec`, `ClientHello`, …) when that is what the note is about.
   */
  | { kind: 'error'; from: Side; frame: number; time: number; note: string; malformed?: string };

/** One TLS record header as seen (every record, including encrypted ones), for timelines and sizes. */
export interface TlsRecordInfo {
  from: Side;
  contentType: number;
  version: number;
  length: number;
  frame: number;
  time: number;
  /** An SSLv2-format record (2- or 3-byte header): it has no content type (contentType 0, version 0x0002). */
  sslv2?: boolean;
}
