import { type Dialogue, type DialogueEvents, MAX_PENDING, REDACTED, firstWord } from './dialogue.js';

/**
 * SMTP (RFC 5321) with STARTTLS (RFC 3207), pipelining (RFC 2920), CHUNKING/BDAT (RFC 3030) and AUTH
 * (RFC 4954). Replies answer commands in order, so a queue of pending commands pairs them; the first reply
 * is the greeting.
 */
export class SmtpDialogue implements Dialogue {
  readonly startCommand = 'STARTTLS';
  clientBody = false;
  private readonly pending: string[] = [];
  private greeted = false;
  /** The reply being read listed the STARTTLS keyword (an EHLO reply line `250-STARTTLS`). */
  private replyListsStarttls = false;
  /** The last reply was 334: the client's next line is a SASL response, not a command. */
  private saslTurn = false;

  constructor(private readonly events: DialogueEvents) {}

  clientLine(line: string): string {
    if (this.clientBody) {
      // Only the end-of-data line reaches here: the sniffer counts body lines itself.
      this.clientBody = false;
      this.queue('.');
      return line;
    }
    if (this.saslTurn) {
      this.saslTurn = false;
      this.queue('AUTH-RESPONSE');
      return line === '*' ? line : REDACTED;
    }
    const verb = firstWord(line);
    this.queue(verb);
    switch (verb) {
      case 'HELO':
        this.events.helo();
        break;
      case 'STARTTLS':
        this.events.asked();
        break;
      case 'DATA':
        // The body follows a 354 reply; entering body mode now keeps a pipelining client's body out of the
        // command queue, and a refusal of DATA leaves it again.
        this.clientBody = true;
        break;
      case 'BDAT': {
        const size = Number(firstWord(line, 5));
        if (Number.isSafeInteger(size) && size > 0) this.events.skip('client', size);
        break;
      }
      case 'AUTH': {
        // AUTH mechanism [initial-response]: the response carries credentials.
        const parts = line.split(' ').filter((p) => p.length > 0);
        if (parts.length > 2) return `${parts[0]} ${parts[1]} ${REDACTED}`;
        break;
      }
    }
    return line;
  }

  serverLine(line: string): void {
    const m = /^(\d{3})([ -]|$)/.exec(line);
    if (!m) return; // not a reply line: the sniffer's transcript still shows it
    const code = m[1];
    if (code === '250' && /^STARTTLS\b/i.test(line.slice(4).trim())) this.replyListsStarttls = true;
    if (m[2] === '-') return; // more lines of this reply follow
    const listsStarttls = this.replyListsStarttls;
    this.replyListsStarttls = false;
    if (!this.greeted) {
      // The banner, even if client commands were read first (a client may talk too early, and each side's
      // bytes may be fed in one piece).
      this.greeted = true;
      return;
    }
    const command = this.pending.shift();
    switch (command) {
      case 'EHLO':
      case 'LHLO':
        if (code[0] === '2') this.events.offered(listsStarttls);
        break;
      case 'STARTTLS':
        this.events.answered(line, code[0] === '2');
        break;
      case 'DATA':
        if (code !== '354') this.clientBody = false;
        break;
      case 'AUTH':
      case 'AUTH-RESPONSE':
        this.saslTurn = code === '334';
        break;
    }
  }

  private queue(command: string): void {
    if (this.pending.length < MAX_PENDING) this.pending.push(command);
  }
}
