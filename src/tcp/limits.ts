/** Memory caps. Hostile or broken input must not be able to grow memory past these. */
export interface TrackerLimits {
  /** Payload bytes held out of order per side; past it the first hole is declared a gap. */
  maxBufferedPerSide: number;
  /** Out-of-order ranges held per side (they cost memory even when their bytes are not kept). */
  maxRangesPerSide: number;
  /** Payload bytes held out of order over all connections together. */
  maxBufferedTotal: number;
  /** Events kept on each Connection; the rest are counted in `eventsDropped` (consumers still get them). */
  maxEventsPerConnection: number;
  /** Connections tracked at once; past it the least recently active one is closed and evicted. */
  maxOpenConnections: number;
  /**
   * Closed connections (RST, or FIN both ways) kept for their late packets (see `closedLinger`); past it the one
   * silent longest is let go sooner. This is what bounds memory on a busy capture: a connection kept is all of
   * its state, its consumer's included.
   */
  maxClosedConnections: number;
  /**
   * Once more than `silentAbove` connections are open, those without a packet for `maxSilence` seconds are closed
   * before the capture ends: they vanished without FIN or RST (a client that lost its network, a NAT that forgot
   * it), and a capture of hours would otherwise keep every such connection, all of its state, until its end or
   * the `maxOpenConnections` cap. Mail never idles this long (Postfix drops an SMTP client after 300 s, Dovecot's
   * IMAP IDLE says "still here" every 2 minutes); a later packet of one starts another connection. Only past
   * `silentAbove`, because captures merged from several days (and timestamps that jump) hold streams whose
   * packets lie hours apart: a tool that keeps them whole, as tshark does, is right there, and such captures
   * are small.
   */
  maxSilence: number;
  silentAbove: number;
  /**
   * Once more than `halfClosedAbove` connections are open, one that a side has closed with FIN while the other has
   * not, silent for `halfClosedSilence` seconds, is closed before the capture ends. Such a connection can only
   * wait for the other side's last word, and a mail server gives that within its timeouts (Postfix 300 s) or not
   * at all: a PMTU black hole's server retransmits its flight (every 2 minutes at most) until its TCP gives up,
   * then goes quiet with no FIN or RST on the wire. Netfilter's connection tracking forgets such a connection
   * after 60–120 s; kept to the capture's end, each held its half-read flight, and on a mail server's busy day
   * they added up (docs/performance.md, 2026-12-07). Only past `halfClosedAbove`, as for `silentAbove`.
   */
  halfClosedSilence: number;
  halfClosedAbove: number;
}

export const DEFAULT_LIMITS: Readonly<TrackerLimits> = {
  maxBufferedPerSide: 1 << 20,
  maxRangesPerSide: 4096,
  maxBufferedTotal: 256 << 20,
  maxEventsPerConnection: 1000,
  maxOpenConnections: 100_000,
  maxClosedConnections: 1_000,
  maxSilence: 3600,
  silentAbove: 10_000,
  halfClosedSilence: 300,
  halfClosedAbove: 1_000,
};

/**
 * Seconds of silence after which a SYN with a new ISN starts a new connection on a 4-tuple whose connection was
 * not closed by FIN both ways or RST (closed ones are reused at once).
 */
export const DEFAULT_IDLE_TIMEOUT = 120;

/**
 * Seconds a connection closed by RST or by FIN both ways stays in the table for its late packets: Linux's
 * TIME_WAIT (2 MSL) is 60 s; twice that leaves room for a peer that had not yet seen the close.
 */
export const DEFAULT_CLOSED_LINGER = 120;
