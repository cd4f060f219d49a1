import type { ConnectionReport } from '../handshake/report.js';
import { endpoint, millis } from './words.js';

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
 * diagnosis above. `data-rung` on each arrow lets a test count them.
 */
export function ladderSvg(r: ConnectionReport): string {
  const list = rungs(r);
  const diagnosisLines = wrap(r.diagnosis, 86);
  const shift = (diagnosisLines.length - 1) * 15;
  const height = TOP + shift + list.length * ROW + 40;
  const failed = r.outcome === 'failed';
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="ladder" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${esc(`handshake of connection ${r.id}`)}">`,
  );
  parts.push(`<title>${esc(`connection ${r.id}: ${r.diagnosis}`)}</title>`);
  parts.push(`<text x="8" y="18" class="diag${failed ? ' bad' : ''}">`);
  diagnosisLines.forEach((line, i) => parts.push(`<tspan x="8" dy="${i === 0 ? 0 : 15}">${esc(line)}</tspan>`));
  parts.push('</text>');
  parts.push(`<g transform="translate(0 ${shift})">`);
  parts.push(`<text x="${CLIENT_X}" y="48" text-anchor="middle" class="who">client ${esc(endpoint(r.client))}</text>`);
  parts.push(`<text x="${SERVER_X}" y="48" text-anchor="middle" class="who">server ${esc(endpoint(r.server))}</text>`);
  parts.push(`<line x1="${CLIENT_X}" y1="58" x2="${CLIENT_X}" y2="${height - 20}" class="life"/>`);
  parts.push(`<line x1="${SERVER_X}" y1="58" x2="${SERVER_X}" y2="${height - 20}" class="life"/>`);
  parts.push(`<text x="8" y="${TOP - 14}" class="col">time · frame</text>`);
  list.forEach((rung, i) => {
    const y = TOP + i * ROW;
    const [x1, x2] = rung.from === 'client' ? [CLIENT_X, SERVER_X] : [SERVER_X, CLIENT_X];
    const cls = `rung ${rung.kind}${rung.end ? ' end' : ''}`;
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
    const y = TOP + list.length * ROW - 12;
    parts.push(`<text x="${WIDTH / 2}" y="${y + 20}" text-anchor="middle" class="stop">stopped at step ${r.lastStep} ${esc(r.lastStepName)}</text>`);
  }
  parts.push('</g></svg>');
  return parts.join('');
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
