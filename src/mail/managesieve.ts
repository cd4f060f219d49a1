import { type Dialogue, type DialogueEvents, MAX_PENDING, REDACTED, firstWord, literalLength } from './dialogue.js';

/**
 * ManageSieve (RFC 5804), Dovecot Pigeonhole's port 4190. The server's capabilities are lines of quoted strings
 * ending with an OK line, both as its greeting and as the answer to CAPABILITY; `"STARTTLS"` among them is the
 * offer. Answers (OK, NO, BYE) come in command order: there are no tags. A string may be a literal, `{n}` or
 * `{n+}` at a line's end, on either side (PUTSCRIPT, GETSCRIPT).
 */
export class ManageSieveDialogue implements Dialogue {
  readonly startCommand = 'STARTTLS';
  readonly clientBody = false;
  /** Commands awaiting their answer, oldest first; the greeting is answered first of all. */
  private readonly pending: string[] = ['(greeting)'];
  /** Inside a capability list (greeting or CAPABILITY): whether it named STARTTLS so far. */
  private listsStarttls = false;
  /** An AUTHENTICATE in progress: until its OK/NO/BYE, client lines are SASL responses. */
  private authenticating = false;
  /** The client's last line ended with a literal: the line after its bytes goes on with the same command. */
  private clientContinues = false;

  constructor(private readonly events: DialogueEvents) {}

  clientLine(line: string): string {
    const literal = literalLength(line);
    if (literal > 0) this.events.skip('client', literal);
    const continued = this.clientContinues;
    this.clientContinues = literal > 0;
    if (continued) return line;
    if (this.authenticating) return line === '"*"' || line === '*' ? line : REDACTED;
    const command = firstWord(line);
    if (this.pending.length < MAX_PENDING) this.pending.push(command);
    switch (command) {
      case 'STARTTLS':
        this.events.asked();
        break;
      case 'AUTHENTICATE': {
        // AUTHENTICATE "PLAIN" "<initial response>": keep the mechanism, hide the response (it holds the password).
        this.authenticating = true;
        const mechanism = /^\s*\S+\s+("[^"]*"|\{\d+\+?\}|\S+)/.exec(line);
        if (mechanism && line.length > mechanism[0].length) return `${line.slice(0, mechanism[0].length).trim()} ${REDACTED}`;
        break;
      }
    }
    return line;
  }

  serverLine(line: string): void {
    const literal = literalLength(line);
    if (literal > 0) this.events.skip('server', literal);
    const status = firstWord(line);
    if (status !== 'OK' && status !== 'NO' && status !== 'BYE') {
      // A capability line ("STARTTLS", "SASL" "PLAIN", …) or, during AUTHENTICATE, a SASL challenge.
      if (/^"STARTTLS"\s*$/i.test(line)) this.listsStarttls = true;
      return;
    }
    this.authenticating = false;
    const answered = this.pending.shift();
    if (answered === '(greeting)' || answered === 'CAPABILITY') {
      if (status === 'OK') this.events.offered(this.listsStarttls);
      this.listsStarttls = false;
    } else if (answered === 'STARTTLS') {
      this.events.answered(line, status === 'OK');
    }
  }
}
