/**
 * Every test asserts something: one that runs no expect() fails, so a loop over an empty list or a promise never
 * awaited cannot pass as a check.
 */
import { beforeEach, expect } from 'vitest';

beforeEach(() => {
  expect.hasAssertions();
});
