/**
 * Well-known server ports used to decide client and server when no SYN was captured.
 * Mail (SMTP 25, submissions 465, submission 587, POP3 110, POP3S 995, IMAP 143, IMAPS 993, ManageSieve 4190)
 * and HTTPS 443, which public test captures use a lot.
 */
export const DEFAULT_SERVER_PORTS: ReadonlySet<number> = new Set([25, 110, 143, 443, 465, 587, 993, 995, 4190]);

/** Ports below this are privileged/well-known: the lower one is taken as the server when nothing else decides. */
export const WELL_KNOWN_PORT_LIMIT = 1024;
