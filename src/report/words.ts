import type { Endpoint } from '../tcp/types.js';
import type { ConnectionReport } from '../handshake/report.js';

/** `10.77.0.100:50648`, `[fd77::100]:50648`. */
export function endpoint(e: Endpoint): string {
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

/**
 * A connection's number as the tables show it and `--connection` takes it: `5`, or `2#5` (its capture's 1-based
 * place) when several captures were given.
 */
export function connectionNumber(id: number, capture: number | null): string {
  return capture !== null ? `${capture}#${id}` : String(id);
}

export function endWords(r: ConnectionReport): string {
  switch (r.end.how) {
    case 'capture-end':
      return 'capture ended';
    case 'alert': {
      const a = r.end.alert!;
      return a.encrypted ? `${r.end.by} encrypted alert` : `${r.end.by} alert ${a.name}`;
    }
    default:
      return `${r.end.by} ${r.end.how.toUpperCase()}`;
  }
}

export function stepWords(r: ConnectionReport): string {
  return r.lastStep === 0 ? '0 —' : `${r.lastStep} ${r.lastStepName}`;
}

export function millis(ms: number): string {
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (Math.abs(ms) >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** The capture's time, as the capture recorded it (UTC). */
export function captureTime(iso: string): string {
  return iso.replace('T', ' ').replace('Z', '');
}
