/**
 * Once a connection's handshake is over, analyze works out what the report needs of it and lets the TLS decoder
 * and the mail sniffer go (src/analyze/pipeline.ts, ConnectionFollower): later bytes are not looked at. What
 * happens after that is still told by the TCP stage.
 */
import { describe, expect, it } from 'vitest';
import { analyzeCapture } from '../../src/analyze/pipeline.js';

const capture = (name: string) => new URL(`../../captures/${name}`, import.meta.url).pathname;

describe('after the handshake', () => {
  it('a hole in the application data is one TCP note, not a TLS problem too (tls_missing_ch_frag: frame 14)', async () => {
    const { connections } = await analyzeCapture(capture('tls_missing_ch_frag.pcap'));
    const [c] = connections;
    expect(c!.outcome).toBe('complete');
    // The hole inside the ClientHello, during the handshake: told by the decoder and by TCP.
    expect(c!.notes).toContain('client, frame 9: 481 bytes missing from the capture (inside a record); decoding resumed at the next record');
    expect(c!.notes).toContain('client: 481 bytes never captured before frame 9 (its stream bytes 1024–1505)');
    // The server bytes the client acknowledged past the end of the capture, long after both Finished: TCP only.
    expect(c!.notes).toContain('server: 1306 bytes never captured before frame 14 (its stream bytes 6121–7427)');
    expect(c!.notes.filter((n) => n.includes('frame 14'))).toHaveLength(1);
  });

  it('a completed connection’s report still holds its hellos, fingerprints and chain (lab SMTP)', async () => {
    // The lab's completed sessions carry mail after the handshake; their reports still hold hellos, chain, fingerprints.
    const { connections } = await analyzeCapture(capture('good-25-smtp-starttls.pcap'));
    for (const c of connections) {
      expect(c.outcome).toBe('complete');
      expect(c.clientHello?.cipherSuites.length).toBeGreaterThan(0);
      expect(c.fingerprints?.ja4).toMatch(/^t1[23][di]/);
    }
    expect(connections[0]!.certificates?.length).toBeGreaterThan(0);
  });
});
