/** `--cert`: the summary's lines on the configured chains (summary.configuredChains). */
import { groupThousands } from '../../text/words.js';
import type { AnalysisSummary } from '../../analyze/summary.js';
import type { RedactionSource } from '../redact.js';

/** One line per configured chain: what it holds, and its own problems at the capture's time. */
export function configuredChainLines(summary: Pick<AnalysisSummary, 'configuredChains'>): string[] {
  const lines: string[] = [];
  for (const c of summary.configuredChains ?? []) {
    const names = c.certificates.map((x) => cnOf(x.subject)).join(' ← ');
    const head = `configured chain ${c.file}: ${c.certificates.length} certificate${c.certificates.length === 1 ? '' : 's'} (${names}), ${groupThousands(c.messageBytes)} bytes as a TLS 1.3 Certificate message`;
    lines.push(c.problems.length === 0 ? `${head}; no problem of its own at the capture's time` : `${head}; its own problems: ${c.problems.map((p) => p.message).join('; ')}`);
  }
  return lines;
}

/** The CN of a subject, else the whole subject. */
function cnOf(subject: string): string {
  return /(?:^|, )CN=([^,]+)/.exec(subject)?.[1] ?? subject;
}

/** For `--redact`: the configured chains' names, learned like a connection's certificates (TLS 1.3 sends none in the clear). */
export function configuredChainRedactionSources(summary: Pick<AnalysisSummary, 'configuredChains'>): RedactionSource[] {
  const chains = summary.configuredChains ?? [];
  if (chains.length === 0) return [];
  return [{ client: { ip: '' }, server: { ip: '' }, certificates: chains.flatMap((c) => c.certificates.map((x) => ({ subject: x.subject }))) }];
}
