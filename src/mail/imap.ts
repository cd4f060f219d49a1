import { type Dialogue, type DialogueEvents, MAX_PENDING, REDACTED, firstWord, literalLength } from './dialogue.js';

/**
 * IMAP4 (RFC 3501/9051) with STARTTLS. Responses carry the command's tag: the tagged OK/NO/BAD answers the
 * oldest pending command with that tag (clients reuse tags such as '.'). Capabilities come from
 * `* CAPABILITY` responses and `[CAPABILITY ...]` response codes (often in the greeting).
 */
export class ImapDialogue implements Dialogue {
  readonly startCommand = 'STARTTLS';
  readonly clientBody = false;
  /** Tagged commands awaiting their tagged answer, oldest first (a client may reuse a tag such as '.'). */
  private readonly pending: { tag: string; command: string }[] = [];
  /** Tag of an AUTHENTICATE in progress: until its tagged answer, client lines are SASL responses. */
  private authenticateTag: string | null = null;

  constructor(private readonly events: DialogueEvents) {}

  clientLine(line: string): string {
    if (this.authenticateTag !== null) return line === '*' ? line : REDACTED;
    const literal = literalLength(line);
    if (literal > 0) this.events.skip('client', literal);
    const tagEnd = line.indexOf(' ');
    if (tagEnd <= 0) return line;
    const tag = line.slice(0, tagEnd);
    const command = firstWord(line, tagEnd + 1);
    if (this.pending.length < MAX_PENDING) this.pending.push({ tag, command });
    switch (command) {
      case 'STARTTLS':
        this.events.asked();
        break;
      case 'LOGIN': {
        // tag LOGIN user password: keep the user name, hide the password.
        const parts = line.split(' ');
        if (parts.length > 3) return `${parts[0]} ${parts[1]} ${parts[2]} ${REDACTED}`;
        break;
      }
      case 'AUTHENTICATE': {
        this.authenticateTag = tag;
        const parts = line.split(' ');
        if (parts.length > 3) return `${parts[0]} ${parts[1]} ${parts[2]} ${REDACTED}`;
        break;
      }
    }
    return line;
  }

  serverLine(line: string): void {
    const literal = literalLength(line);
    if (literal > 0) this.events.skip('server', literal);
    const code = /\[CAPABILITY ([^\]]*)\]/i.exec(line);
    if (code) this.capabilities(code[1]);
    if (line.startsWith('* ')) {
      if (firstWord(line, 2) === 'CAPABILITY') this.capabilities(line.slice(2 + 'CAPABILITY'.length));
      return;
    }
    if (line.startsWith('+')) return; // continuation request
    const tagEnd = line.indexOf(' ');
    if (tagEnd <= 0) return;
    const tag = line.slice(0, tagEnd);
    const status = firstWord(line, tagEnd + 1);
    if (status !== 'OK' && status !== 'NO' && status !== 'BAD') return;
    if (tag === this.authenticateTag) this.authenticateTag = null;
    const index = this.pending.findIndex((p) => p.tag === tag);
    if (index < 0) return;
    const [answered] = this.pending.splice(index, 1);
    if (answered.command === 'STARTTLS') this.events.answered(line, status === 'OK');
  }

  private capabilities(list: string): void {
    this.events.offered(/(^|\s)STARTTLS(\s|$)/i.test(list));
  }
}
