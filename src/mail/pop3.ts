import { type Dialogue, type DialogueEvents, MAX_PENDING, REDACTED, firstWord } from './dialogue.js';

interface Pop3Command {
  verb: string;
  /** A +OK answer is followed by lines up to a lone '.' (RFC 1939 multi-line responses, CAPA per RFC 2449). */
  multiLine: boolean;
}

/**
 * POP3 (RFC 1939) with CAPA (RFC 2449) and STLS (RFC 2595). Answers come in command order (a client may
 * pipeline); the first line is the greeting.
 */
export class Pop3Dialogue implements Dialogue {
  readonly startCommand = 'STLS';
  readonly clientBody = false;
  private readonly pending: Pop3Command[] = [];
  private greeted = false;
  /** Inside a multi-line answer; `capa` when it is the CAPA list. */
  private multiLine: 'capa' | 'other' | null = null;
  private capaListsStls = false;
  /** The last answer was a '+ ' SASL challenge: the client's next line is a response, not a command. */
  private saslTurn = false;

  constructor(private readonly events: DialogueEvents) {}

  clientLine(line: string): string {
    if (this.saslTurn) {
      this.saslTurn = false;
      this.queue('AUTH-RESPONSE', false);
      return line === '*' ? line : REDACTED;
    }
    const verb = firstWord(line);
    const args = line.trim().split(/\s+/).length - 1;
    switch (verb) {
      case 'STLS':
        this.queue(verb, false);
        this.events.asked();
        return line;
      case 'CAPA':
      case 'RETR':
      case 'TOP':
        this.queue(verb, true);
        return line;
      case 'LIST':
      case 'UIDL':
        this.queue(verb, args === 0);
        return line;
      case 'AUTH':
        // Without a mechanism, many servers list their mechanisms as a multi-line answer.
        this.queue(verb, args === 0);
        return args > 1 ? `${line.split(' ')[0]} ${firstWord(line, 5)} ${REDACTED}` : line;
      case 'PASS':
        this.queue(verb, false);
        return `${line.split(' ')[0]} ${REDACTED}`;
      case 'APOP': {
        this.queue(verb, false);
        const parts = line.split(' ');
        return parts.length > 2 ? `${parts[0]} ${parts[1]} ${REDACTED}` : line;
      }
      default:
        this.queue(verb, false);
        return line;
    }
  }

  serverLine(line: string): void {
    if (this.multiLine !== null) {
      if (line === '.') {
        if (this.multiLine === 'capa') this.events.offered(this.capaListsStls);
        this.multiLine = null;
      } else if (this.multiLine === 'capa' && firstWord(line) === 'STLS') {
        this.capaListsStls = true;
      }
      return;
    }
    const upper = line.slice(0, 4).toUpperCase();
    const ok = upper.startsWith('+OK');
    const err = upper.startsWith('-ERR');
    if (!this.greeted && (ok || err)) {
      // The greeting, even if client commands were read first (they may come first when each side's bytes are
      // fed in one piece).
      this.greeted = true;
      return;
    }
    if (!ok && !err) {
      if (line === '+' || line.startsWith('+ ')) {
        // SASL challenge: answers the AUTH (or the previous response) and asks for another response.
        this.pending.shift();
        this.saslTurn = true;
      }
      return;
    }
    this.saslTurn = false;
    const command = this.pending.shift();
    if (!command) return;
    if (command.verb === 'STLS') this.events.answered(line, ok);
    if (ok && command.multiLine) {
      this.multiLine = command.verb === 'CAPA' ? 'capa' : 'other';
      this.capaListsStls = false;
    }
  }

  private queue(verb: string, multiLine: boolean): void {
    if (this.pending.length < MAX_PENDING) this.pending.push({ verb, multiLine });
  }
}
