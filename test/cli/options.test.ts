/** The options as data (src/cli/options.ts): each key is what commander calls the option, and values are checked once. */
import { Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { ANALYZE_OPTIONS, commanderOptions, connectionNumber, DIFF_OPTIONS, examples, seconds, STREAMS_OPTIONS, wholeNumber, type OptionSpec } from '../../src/cli/options.js';
import { UsageError } from '../../src/exit.js';

describe('options as data', () => {
  for (const [command, specs] of Object.entries({ analyze: ANALYZE_OPTIONS, streams: STREAMS_OPTIONS, diff: DIFF_OPTIONS })) {
    it(`${command}: each key is the name commander gives the option's value`, () => {
      for (const [key, spec] of Object.entries(specs as Record<string, OptionSpec<unknown>>)) expect(new Option(spec.flags).attributeName(), spec.flags).toBe(key);
    });
  }

  it('repeatable options start empty and collect every value, parsed', () => {
    const port = commanderOptions(ANALYZE_OPTIONS).find((o) => o.long === '--port')!;
    expect(port.defaultValue).toEqual([]);
    const once = port.parseArg!('2525=smtp', []) as unknown[];
    expect(port.parseArg!('10143=imap', once)).toEqual([
      [2525, expect.anything()],
      [10143, expect.anything()],
    ]);
    expect(() => port.parseArg!('25=gopher', [])).toThrow(UsageError);
  });

  it('says what is wrong with a value, naming the option', () => {
    expect(() => wholeNumber(1)('0', '--jobs')).toThrow('--jobs 0: not a whole number of 1 or more');
    expect(() => wholeNumber(0)('1.5', '--max-connections')).toThrow('--max-connections 1.5: not a whole number');
    expect(() => wholeNumber(0)(' ', '--max-connections')).toThrow(UsageError);
    expect(wholeNumber(0)('0', '--max-connections')).toBe(0);
    expect(() => seconds('-1', '--retry-window')).toThrow('--retry-window -1: not a number of seconds (0 or more)');
    expect(seconds('2.5', '--retry-window')).toBe(2.5);
    expect(examples('all', '--examples')).toBe(Infinity);
    expect(() => examples('0', '--examples')).toThrow('--examples 0: not a whole number of 1 or more, nor all');
    const width = commanderOptions(STREAMS_OPTIONS).find((o) => o.long === '--width')!;
    expect(width.parseArg!('120', undefined)).toBe(120);
    expect(() => width.parseArg!('10', undefined)).toThrow('--width 10: not a whole number from 20 to 10000');
  });

  it('one parser for a connection number: 5 or 2#5', () => {
    expect(connectionNumber('5')).toEqual({ capture: 0, id: 5, text: '5' });
    expect(connectionNumber('2#5')).toEqual({ capture: 1, id: 5, text: '2#5' });
    expect(connectionNumber('x').id).toBeNaN();
  });
});
