import { endpoint, millis } from '../text/words.js';
import type { ConnectionReport } from '../handshake/report.js';

/** Text for HTML and SVG: the five characters that could break out of text or an attribute. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** One arrow of the ladder: a TLS message or a TCP event. */
export interface Rung {
  frame: number;
  atMs: number;
  from: 'client' | 'server';
  label: string;
  kind: 'tls' | 'alert' | 'tcp';
  step: number | null;
  /** The event that ended the connection. */
  end: boolean;
}

/** TCP events worth an arrow of their own (the others are counters). */
const TCP_RUNGS = new Set(['syn', 'syn-ack', 'fin', 'rst', 'retransmission', 'gap', 'zero-window']);

export function rungs(r: ConnectionReport): Rung[] {
  const out: Rung[] = [];
  for (const m of r.messages) {
    out.push({
      frame: m.frame,
      atMs: m.atMs,
      from: m.from,
      label: `${m.type}${m.length !== undefined ? ` · ${m.length} B` : ''}`,
      kind: m.type.startsWith('Alert') ? 'alert' : 'tls',
      step: m.step,
      end: r.end.how === 'alert' && r.end.frame === m.frame && m.type.startsWith('Alert'),
    });
  }
  for (const e of r.tcp.events) {
    if (!TCP_RUNGS.has(e.kind)) continue;
    out.push({
      frame: e.frame,
      atMs: e.atMs,
      from: e.from,
      label: `TCP ${e.kind.toUpperCase()}${e.length !== undefined ? ` · ${e.length} B` : ''}`,
      kind: 'tcp',
      step: null,
      end: (r.end.how === 'fin' || r.end.how === 'rst') && r.end.frame === e.frame && e.kind === r.end.how,
    });
  }
  // Capture order; at the same frame the TLS message before the TCP event it rode on.
  out.sort((a, b) => a.frame - b.frame || (a.kind === 'tcp' ? 1 : 0) - (b.kind === 'tcp' ? 1 : 0));
  return out;
}

const ROW = 30;
const TOP = 86;
const WIDTH = 680;
const CLIENT_X = 150;
const SERVER_X = 540;

/**
 * The handshake as a ladder diagram in inline SVG: the client's and the server's lifelines, one arrow per
 * message and TCP event with its time and size, the steps marked, where it stopped in red, the
 * diagnosis above. `data-rung` on each arrow lets a test count them. With `mark` (diff's page), a band
 * across the diagram where two handshakes part (`data-mark="divergence"`) and this side's next move in bold.
 */
export function ladderSvg(r: ConnectionReport, opts: LadderOptions = {}): string {
  const list = rungs(r);
  const diagnosisLines = wrap(r.diagnosis, 86);
  const shift = (diagnosisLines.length - 1) * 15;
  const mark = opts.mark;
  // The band goes after the last arrow of the marked step (before the first arrow when the step is 0 or absent).
  const markAfter = mark ? lastIndexOfStep(list, mark.step) : -2;
  const next = mark ? nextMoveIndex(list, markAfter, mark) : -1;
  const gap = mark ? MARK_GAP : 0;
  const pad = opts.padTop ?? 0;
  const rowY = (i: number) => TOP + i * ROW + (mark && i > markAfter ? gap : 0);
  const height = TOP + shift + pad + list.length * ROW + gap + 40;
  const failed = r.outcome === 'failed';
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ladder" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(`handshake of connection ${r.id}`)}">`,
  );
  parts.push(`<title>${esc(`connection ${r.id}: ${r.diagnosis}`)}</title>`);
  parts.push(`<text x="8" y="18" class="diag${failed ? ' bad' : ''}">`);
  diagnosisLines.forEach((line, i) => parts.push(`<tspan x="8" dy="${i === 0 ? 0 : 15}">${esc(line)}</tspan>`));
  parts.push('</text>');
  parts.push(`<g transform="translate(0 ${shift + pad})">`);
  // Drawn first, so the lifelines and arrows lie on top of it.
  if (mark) {
    const top = markAfter >= 0 ? rowY(markAfter) + 8 : TOP - 8;
    parts.push(`<g class="diverge" data-mark="divergence" data-step="${mark.step}">`);
    parts.push(`<rect x="4" y="${top}" width="${WIDTH - 8}" height="${MARK_GAP - 8}" rx="3"/>`);
    parts.push(`<text x="${WIDTH / 2}" y="${top + 15}" text-anchor="middle">${esc(mark.label)}</text>`);
    parts.push('</g>');
  }
  parts.push(`<text x="${CLIENT_X}" y="48" text-anchor="middle" class="who">client ${esc(endpoint(r.client))}</text>`);
  parts.push(`<text x="${SERVER_X}" y="48" text-anchor="middle" class="who">server ${esc(endpoint(r.server))}</text>`);
  parts.push(`<line x1="${CLIENT_X}" y1="58" x2="${CLIENT_X}" y2="${height - 20}" class="life"/>`);
  parts.push(`<line x1="${SERVER_X}" y1="58" x2="${SERVER_X}" y2="${height - 20}" class="life"/>`);
  parts.push(`<text x="8" y="${TOP - 14}" class="col">time · frame</text>`);
  list.forEach((rung, i) => {
    const y = rowY(i);
    const [x1, x2] = rung.from === 'client' ? [CLIENT_X, SERVER_X] : [SERVER_X, CLIENT_X];
    const cls = `rung ${rung.kind}${rung.end ? ' end' : ''}${i === next ? ' next' : ''}`;
    const head = rung.from === 'client' ? x2 - 8 : x2 + 8;
    parts.push(`<g class="${cls}" data-rung="${rung.kind}" data-frame="${rung.frame}">`);
    parts.push(`<text x="8" y="${y + 4}" class="time">${esc(millis(rung.atMs))} · #${rung.frame}</text>`);
    parts.push(`<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}"/>`);
    parts.push(`<polygon points="${x2},${y} ${head},${y - 4} ${head},${y + 4}"/>`);
    parts.push(`<text x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle" class="label">${esc(rung.label)}</text>`);
    if (rung.step !== null) {
      const sx = rung.from === 'client' ? CLIENT_X - 18 : SERVER_X + 18;
      parts.push(`<circle cx="${sx}" cy="${y}" r="9" class="step"/><text x="${sx}" y="${y + 4}" text-anchor="middle" class="stepno">${rung.step}</text>`);
    }
    parts.push('</g>');
  });
  if (failed) {
    const y = TOP + list.length * ROW + gap - 12;
    parts.push(`<text x="${WIDTH / 2}" y="${y + 20}" text-anchor="middle" class="stop">stopped at step ${r.lastStep} ${esc(r.lastStepName)}</text>`);
  }
  parts.push('</g></svg>');
  return parts.join('');
}

const MARK_GAP = 30;

/** A band across the ladder where two handshakes part (`diff --format html`). */
export interface LadderMark {
  /** The last step both connections reached: the band goes right after its last arrow (0: before the first arrow). */
  step: number;
  /** The words on the band. */
  label: string;
  /** What this side did next, highlighted: its next step (by whom), or the event that ended the connection. */
  next?: { step: number | null; by: 'client' | 'server' | null; end: boolean };
}

export interface LadderOptions {
  mark?: LadderMark;
  /** Empty space above the lifelines, to line the band up with another ladder's (see ladderMarkTop). */
  padTop?: number;
}

/** How far below the top of its ladder the band of `mark` lies. */
export function ladderMarkTop(r: ConnectionReport, mark: LadderMark): number {
  const shift = (wrap(r.diagnosis, 86).length - 1) * 15;
  const after = lastIndexOfStep(rungs(r), mark.step);
  return shift + (after >= 0 ? TOP + after * ROW + 8 : TOP - 8);
}

function lastIndexOfStep(list: readonly Rung[], step: number): number {
  if (step <= 0) return -1;
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.step === step) return i;
  return -1;
}

function nextMoveIndex(list: readonly Rung[], after: number, mark: LadderMark): number {
  const next = mark.next;
  if (!next) return -1;
  for (let i = after + 1; i < list.length; i++) {
    const rung = list[i]!;
    if (next.step !== null ? rung.step === next.step && (next.by === null || rung.from === next.by) : next.end && rung.end) return i;
  }
  return -1;
}

/** Break text into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** Styles the ladder needs; the HTML page inlines them once. */
export const LADDER_CSS = `
svg.ladder { font: 12px system-ui, sans-serif; background: #fff; }
svg.ladder .diag { font-weight: 600; fill: #222; }
svg.ladder .diag.bad { fill: #b00020; }
svg.ladder .who { font-weight: 600; }
svg.ladder .life { stroke: #888; stroke-width: 2; }
svg.ladder .col, svg.ladder .time { fill: #666; font-size: 11px; }
svg.ladder .rung line { stroke: #222; stroke-width: 1.4; }
svg.ladder .rung polygon { fill: #222; }
svg.ladder .rung.tcp line { stroke: #999; stroke-dasharray: 4 3; }
svg.ladder .rung.tcp polygon, svg.ladder .rung.tcp .label { fill: #777; }
svg.ladder .rung.alert line { stroke: #d35400; }
svg.ladder .rung.alert polygon, svg.ladder .rung.alert .label { fill: #d35400; }
svg.ladder .rung.end line { stroke: #b00020; stroke-width: 2.4; }
svg.ladder .rung.end polygon, svg.ladder .rung.end .label { fill: #b00020; font-weight: 600; }
svg.ladder .step { fill: #e8f0fe; stroke: #3367d6; }
svg.ladder .stepno { font-size: 10px; fill: #3367d6; font-weight: 700; }
svg.ladder .stop { fill: #b00020; font-weight: 700; }
`;

/** Styles of the divergence band and the highlighted next move (diff's page only). */
export const LADDER_MARK_CSS = `
svg.ladder .diverge rect { fill: #fff3cd; stroke: #d39e00; stroke-width: 1.2; }
svg.ladder .diverge text { fill: #7a5900; font-weight: 700; }
svg.ladder .rung.next line { stroke-width: 3; }
svg.ladder .rung.next .label { font-weight: 700; }
`;
