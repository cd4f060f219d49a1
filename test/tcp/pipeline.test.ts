/**
 * The project's own capture and net stages feeding the tracker must give the same connections as the
 * test-only minicapture.ts reader, an independent reference (captures.test.ts reads every capture through the
 * stages themselves). This also runs the tracker on reused reader buffers (payloads valid only during the
 * call), which minicapture does not do.
 */
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/reader.js';
import { NetDecoder } from '../../src/net/decoder.js';
import { ConnectionTracker } from '../../src/tcp/tracker.js';
import type { Connection } from '../../src/tcp/types.js';
import { readSegments } from './minicapture.js';
import { Recorder } from './segments.js';

const FILES = [
  'abort-after-shd.pcap',
  'good-25-smtp-starttls.pcapng',
  'good-any-sll2.pcap',
  'pmtu-blackhole-fail.pcap',
  'psiphon3.pcap',
  'imaps.pcap',
  'suricata-bug-5881-01.pcap',
  'tls_missing_ch_frag.pcap',
  'tls_multiple_synack_different_seq.pcapng',
  'ndpi-smtp-starttls.pcap',
  'suricata-tcp-fastopen-10-syn-data-ignore.pcap',
  'tls.pcap',
  'tls_tcp_frag.pcap.gz',
];

interface Run {
  conns: Connection[];
  streams: string[];
}

function tracker(): { t: ConnectionTracker; recorders: Recorder[] } {
  const recorders: Recorder[] = [];
  const t = new ConnectionTracker({
    open: () => {
      const r = new Recorder();
      recorders.push(r);
      return r;
    },
  });
  return { t, recorders };
}

const streams = (recorders: Recorder[]) => recorders.flatMap((r) => [r.stream('client'), r.stream('server')]);

async function viaPipeline(path: string): Promise<Run> {
  const { t, recorders } = tracker();
  const net = new NetDecoder();
  await readCapture(path, (frame) => {
    const seg = net.decode(frame);
    if (seg) t.segment(seg);
  });
  return { conns: t.finish(), streams: streams(recorders) };
}

function viaMinicapture(path: string): Run {
  const { t, recorders } = tracker();
  for (const seg of readSegments(path)) t.segment(seg);
  return { conns: t.finish(), streams: streams(recorders) };
}

describe('ConnectionTracker fed by the capture and net stages', () => {
  for (const file of FILES) {
    it(file, async () => {
      const path = new URL(`../../captures/${file}`, import.meta.url).pathname;
      const ours = await viaPipeline(path);
      const reference = viaMinicapture(path);
      expect(ours.conns).toEqual(reference.conns);
      expect(ours.streams).toEqual(reference.streams);
    });
  }
});
