/** `tlsdissect diff`: a good and a bad handshake side by side. */
import { diffReports } from '../diff/diff.js';
import { parseSideSpec, selectPair } from '../diff/select.js';
import { EXIT, exitCodeForCaptures, UsageError } from '../exit.js';
import { renderDiffHtml } from '../report/diff/html.js';
import { renderDiffJson } from '../report/diff/json.js';
import { renderDiffMarkdown } from '../report/diff/markdown.js';
import { redactDiff } from '../report/diff/redact.js';
import { renderDiffText } from '../report/diff/text.js';
import { markRedacted } from '../report/redact.js';
import { chooseFormat } from '../report/report-file.js';
import { toolInfo, withTextToolLine } from '../report/tool.js';
import { DIFF_FORMATS, portMap, type DIFF_OPTIONS, type OptionValues } from './options.js';
import { readKeyLogs } from './input-files.js';
import { reportDamage, textOutput, withReport } from './run.js';

export type DiffCliOptions = OptionValues<typeof DIFF_OPTIONS> & { format?: string };

export async function runDiff(goodArg: string, badArg: string, opts: DiffCliOptions): Promise<void> {
  const format = chooseFormat('diff', opts.format, opts.output, DIFF_FORMATS);
  const ports = portMap(opts.port);
  const keyLog = readKeyLogs(opts.keylog);
  const inputs = [...[goodArg, badArg].map((arg) => parseSideSpec(arg)).flatMap((spec) => ('file' in spec ? [spec.file] : [])), ...opts.keylog];
  await withReport(opts.output, inputs, async (sink) => {
    const pair = await selectPair(goodArg, badArg, { ports, keyLog });
    reportDamage(pair.captures);
    const code = exitCodeForCaptures(pair.captures);
    if (code === EXIT.unreadable) {
      process.exitCode = code;
      return;
    }
    if (!pair.ok) throw new UsageError(pair.error);
    const diffed = diffReports(pair.good.report, pair.bad.report);
    diffed.good.chosen = pair.good.why;
    diffed.bad.chosen = pair.bad.why;
    const redacted = opts.redact ? redactDiff(diffed, pair.good.report, pair.bad.report) : null;
    const { result, good, bad } = redacted ?? { result: diffed, good: pair.good.report, bad: pair.bad.report };
    const tool = toolInfo(process.argv.slice(2), { redact: opts.redact, files: { captures: pair.captures.map((c) => c.file), keylogs: opts.keylog } });
    let text: string;
    if (format === 'json') text = renderDiffJson(result, tool);
    else if (format === 'markdown') text = renderDiffMarkdown(result, good, bad, tool);
    else if (format === 'html') text = renderDiffHtml(result, good, bad, tool);
    else text = renderDiffText(result, good, bad, textOutput(opts));
    if (format === 'text' && opts.output) text = [...withTextToolLine([text], tool)].join('');
    sink.write(redacted ? markRedacted(text, format, redacted.redactor) : text);
    process.exitCode = code;
  });
}
