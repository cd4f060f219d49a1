/**
 * NSS key log files (RFC 9850; what `openssl s_client -keylogfile`, curl's and Firefox's SSLKEYLOGFILE write) and
 * the TLS key log carried by a pcapng Decryption Secrets Block (secrets type 'TLSK', the same text).
 *
 * A line is `LABEL <client random, 64 hex> <secret, hex>`; lines are matched to a connection by its ClientHello's
 * random. Only the labels below are read: the others (early traffic, exporter secrets, RSA pre-master secrets)
 * decrypt nothing this tool looks at, and are counted, not kept.
 *
 * Secrets are plain data (Buffers in Maps) so that the set crosses to worker threads; they never go into a report.
 */

/** The labels read, and where each secret goes (RFC 9850 §2, draft-thomson-tls-keylogfile). */
const LABELS = {
  CLIENT_RANDOM: 'masterSecret',
  CLIENT_HANDSHAKE_TRAFFIC_SECRET: 'clientHandshake',
  SERVER_HANDSHAKE_TRAFFIC_SECRET: 'serverHandshake',
  CLIENT_TRAFFIC_SECRET_0: 'clientTraffic0',
  SERVER_TRAFFIC_SECRET_0: 'serverTraffic0',
} as const satisfies Record<string, keyof SessionSecrets>;

/** Labels of the format that are valid but of no use here. */
const IGNORED_LABELS = new Set(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET', 'EXPORTER_SECRET', 'RSA', 'PMS_CLIENT_RANDOM', 'ECH_SECRET', 'ECH_CONFIG']);

/** The secrets logged for one ClientHello random. */
export interface SessionSecrets {
  /** TLS ≤ 1.2: the 48-byte master secret (CLIENT_RANDOM). */
  masterSecret?: Buffer;
  /** TLS 1.3 traffic secrets (RFC 8446 §7.1). */
  clientHandshake?: Buffer;
  serverHandshake?: Buffer;
  clientTraffic0?: Buffer;
  serverTraffic0?: Buffer;
}

/** Client random (lower-case hex) → its secrets. */
export type KeyLog = Map<string, SessionSecrets>;

export interface KeyLogReading {
  /** Lines read into the key log. */
  lines: number;
  /** Lines with a label of the format this tool does not use (early data, exporters, RSA pre-master secrets). */
  ignored: number;
  /** Lines that are not key log lines, one line each (their number, never their content: it holds secrets). */
  problems: string[];
}

const MAX_PROBLEMS = 5;
const CLIENT_RANDOM_HEX = 64;
/** The longest secret of any label: SHA-384 traffic secrets are 48 bytes (96 hex digits). */
const MAX_SECRET_HEX = 128;
const HEX = /^[0-9a-fA-F]+$/;

/**
 * Read key log text into `into` (later lines for the same random and label win, as in Wireshark). Never throws:
 * a line that is not a key log line is counted in `problems`, by its number only.
 */
export function readKeyLog(text: string, into: KeyLog = new Map()): KeyLogReading & { keys: KeyLog } {
  const reading: KeyLogReading = { lines: 0, ignored: 0, problems: [] };
  let bad = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    const label = parts[0]!;
    if (IGNORED_LABELS.has(label)) {
      reading.ignored++;
      continue;
    }
    const field = (LABELS as Record<string, keyof SessionSecrets>)[label];
    const random = parts[1] ?? '';
    const secret = parts[2] ?? '';
    const why =
      field === undefined
        ? 'unknown label'
        : parts.length !== 3
          ? `${parts.length} fields instead of 3`
          : random.length !== CLIENT_RANDOM_HEX || !HEX.test(random)
            ? 'the client random is not 32 bytes of hex'
            : secret.length === 0 || secret.length % 2 !== 0 || secret.length > MAX_SECRET_HEX || !HEX.test(secret)
              ? 'the secret is not hex'
              : null;
    if (why !== null || field === undefined) {
      bad++;
      if (reading.problems.length < MAX_PROBLEMS) reading.problems.push(`line ${i + 1}: ${why}`);
      continue;
    }
    const key = random.toLowerCase();
    let entry = into.get(key);
    if (!entry) into.set(key, (entry = {}));
    entry[field] = Buffer.from(secret, 'hex');
    reading.lines++;
  }
  if (bad > reading.problems.length) reading.problems.push(`${bad - reading.problems.length} more lines that are not key log lines`);
  return { ...reading, keys: into };
}

/**
 * Where a connection's decoder looks for its secrets: the key logs given on the command line, then the keys
 * its capture carries in Decryption Secrets Blocks (added as the capture is read, so a block that comes late
 * still serves the connections after it).
 */
export class KeyLogStore {
  private readonly fromCapture: KeyLog = new Map();

  constructor(private readonly given: KeyLog | undefined) {}

  /** Whether any key is known at all (no note about missing keys is made when none is). */
  get empty(): boolean {
    return (this.given?.size ?? 0) === 0 && this.fromCapture.size === 0;
  }

  /** A Decryption Secrets Block's TLS key log text. */
  addFromCapture(text: string): KeyLogReading {
    return readKeyLog(text, this.fromCapture);
  }

  secrets(clientRandomHex: string): SessionSecrets | undefined {
    return this.fromCapture.get(clientRandomHex) ?? this.given?.get(clientRandomHex);
  }
}
