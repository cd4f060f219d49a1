import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps the V8 heap near what the analysis really holds, so that peak memory follows the connections open at
 * once and not the size of the capture.
 *
 * What the analysis holds is the state of its open connections (a few kilobytes each), about 50 MB for the
 * 3,000 open at once in `npm run bench`'s capture. V8's defaults suit programs that grow: after each full
 * collection the old generation may grow to up to four times what survived before the next one, and the young
 * generation grows to two 16 MB halves. A capture read at hundreds of MB/s promotes every connection's state
 * to the old generation and drops it a second later, so the heap filled those margins and the peak grew with
 * the file (360 MB at 1 GB). Two settings bring it to 150–170 MB from 500 MB to 2 GB, for about the same CPU time:
 * - old generation: grow by 20 % past what survived (`--heap-growing-percent`), so full collections come
 *   sooner; each is cheap, as most of what they find is dead. A soft setting, not a limit: a capture with a
 *   hundred thousand open connections still gets all the memory it needs, it never ends in an out-of-memory crash
 *   as `--max-old-space-size` would.
 * - young generation: let it grow to 4 MB halves, then no further. Its size is fixed when the process starts
 *   (`--max-semi-space-size` cannot be set from inside), but its growth factor can, so it is stopped once it
 *   has reached that size (`checkYoungGeneration`, called as the capture is read).
 * Off unless `boundHeap` is called (the command line does); a program using the modules keeps V8's defaults.
 */
const OLD_GENERATION_GROWTH_PERCENT = 20;
/** Young generation (both halves) at which its growth stops. */
const YOUNG_GENERATION_BYTES = 8 * 1024 * 1024;

let watchingYoung = false;
/** Whether boundHeap was called: only then does collectBeforeReport collect. */
let bounded = false;

export function boundHeap(): void {
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
  watchingYoung = true;
  checkYoungGeneration();
  bounded = true;
}

/**
 * A full collection between reading the captures and drawing up the report. When the last packet is read the
 * heap still holds the garbage of the last connections and the margin it grew by (20 % above what the last
 * collection found alive, plus the young generation): on the 300 MB mail mix 67 MB of heap for 29 MB alive. The
 * report is then made on top of that (the summary, one entry per client address, the parts read back from disk),
 * and the peak came there: 149–157 MB for JSON. Collected first, the heap starts the report at 31 MB and the peak
 * is 135–137 MB, for a few milliseconds of CPU.
 */
export function collectBeforeReport(): void {
  if (!bounded) return;
  // V8's `gc`, reached from a context made once `--expose-gc` is set; made here, once a run, not at start-up.
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Cheap enough to call for every megabyte read; does nothing once the young generation has stopped growing. */
export function checkYoungGeneration(): void {
  if (!watchingYoung) return;
  const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (young === undefined) {
    watchingYoung = false;
    return;
  }
  if (young.space_size < YOUNG_GENERATION_BYTES) return;
  setFlagsFromString('--semi-space-growth-factor=1');
  watchingYoung = false;
}
