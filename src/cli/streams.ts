/** `tlsdissect streams`: one row per TCP connection. */
import { exitCodeForCaptures, nothingReadAtAll } from '../exit.js';
import { chooseFormat } from '../report/report-file.js';
import { StreamsOutput } from '../report/streams/stream-output.js';
import { collectStreamsTo } from '../tcp/collect.js';
import { STREAMS_FORMATS, type OptionValues, type STREAMS_OPTIONS } from './options.js';
import { distinctCaptures, finishOnInterrupt, reportDamage, textOutput, withReport } from './run.js';

export type StreamsCliOptions = OptionValues<typeof STREAMS_OPTIONS> & { format?: string };

export async function runStreams(given: string[], opts: StreamsCliOptions): Promise<void> {
  const format = chooseFormat('streams', opts.format, opts.output, STREAMS_FORMATS);
  const captures = distinctCaptures(given);
  if (captures.includes('-')) finishOnInterrupt();
  await withReport(opts.output, captures, async (sink) => {
    const output = new StreamsOutput(format === 'json' ? 'json' : 'text', captures, undefined, textOutput(opts).width);
    try {
      const done = await collectStreamsTo(captures, (row, index) => output.add(row, index));
      reportDamage(done);
      process.exitCode = exitCodeForCaptures(done);
      if (nothingReadAtAll(done)) return;
      await sink.writePieces(output.render(done));
    } finally {
      output.close();
    }
  });
}
