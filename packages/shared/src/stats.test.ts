import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mean, median, percentile, rate, summarizeDurations } from "./stats";

// Type 7 quantiles: the position is p * (n - 1) in the sorted values, and the result
// interpolates linearly between the values at floor(position) and ceil(position).

describe("percentile", () => {
  const fourValues = [10, 20, 30, 40];

  it("median of four values", () => {
    // position 0.5 * 3 = 1.5, so 20 + 0.5 * (30 - 20) = 25
    expect(percentile(fourValues, 0.5)).toBe(25);
  });

  it("p90 of four values", () => {
    // position 0.9 * 3 = 2.7, so 30 + 0.7 * (40 - 30) = 37
    expect(percentile(fourValues, 0.9)).toBeCloseTo(37, 10);
  });

  it("p25 of four values", () => {
    // position 0.25 * 3 = 0.75, so 10 + 0.75 * (20 - 10) = 17.5
    expect(percentile(fourValues, 0.25)).toBe(17.5);
  });

  it("p0 and p100 are extremes", () => {
    expect(percentile(fourValues, 0)).toBe(10);
    expect(percentile(fourValues, 1)).toBe(40);
  });

  it("p90 of five values", () => {
    // position 0.9 * 4 = 3.6, so 4 + 0.6 * (5 - 4) = 4.6
    expect(percentile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 10);
  });

  it("exact rank needs no interpolation", () => {
    // position 0.5 * 4 = 2, the third value
    expect(percentile([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });

  it("p90 of ten values", () => {
    // position 0.9 * 9 = 8.1, so 9 + 0.1 * (10 - 9) = 9.1
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
  });

  it.each([0, 0.5, 0.9, 1])("single value at p=%s", (p) => {
    expect(percentile([42], p)).toBe(42);
  });

  it("empty input gives null", () => {
    expect(percentile([], 0.5)).toBeNull();
  });

  it("unsorted input is sorted", () => {
    expect(percentile([40, 10, 30, 20], 0.5)).toBe(25);
    expect(percentile([40, 10, 30, 20], 0.9)).toBeCloseTo(37, 10);
  });

  it("sorts numerically, not as text", () => {
    // As strings, 100 would sort before 9 and the median would be 54.5.
    expect(percentile([100, 9, 8], 0.5)).toBe(9);
  });

  it("input array is not mutated", () => {
    const values = [40, 10, 30, 20];
    percentile(values, 0.5);

    expect(values).toEqual([40, 10, 30, 20]);
  });

  it.each([-0.1, 1.1, Number.NaN])("p=%s is rejected", (p) => {
    expect(() => percentile([1, 2], p)).toThrow(RangeError);
  });

  it("monotone in p, within range", () => {
    // The values stay far from Number.MAX_VALUE, because high - low in the interpolation
    // overflows to Infinity when the values span more than that.
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, p, q) => {
          const [lowP, highP] = p <= q ? [p, q] : [q, p];
          const low = percentile(values, lowP) as number;
          const high = percentile(values, highP) as number;

          expect(low).toBeLessThanOrEqual(high);
          expect(low).toBeGreaterThanOrEqual(Math.min(...values));
          expect(high).toBeLessThanOrEqual(Math.max(...values));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("mean and median", () => {
  it("mean of values", () => {
    // (1 + 2 + 3 + 4) / 4 = 2.5
    expect(mean([1, 2, 3, 4])).toBe(2.5);
  });

  it("mean of no values", () => {
    expect(mean([])).toBeNull();
  });

  it("median of odd count", () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  it("median of no values", () => {
    expect(median([])).toBeNull();
  });
});

describe("summarizeDurations", () => {
  it("summarizes five durations", () => {
    // mean (60 + 120 + 180 + 240 + 300) / 5 = 180; median at position 2 is 180;
    // p90 at position 0.9 * 4 = 3.6 is 240 + 0.6 * (300 - 240) = 276
    const summary = summarizeDurations([300, 60, 240, 120, 180]);

    expect(summary.count).toBe(5);
    expect(summary.mean).toBe(180);
    expect(summary.median).toBe(180);
    expect(summary.p90).toBeCloseTo(276, 10);
  });

  it("summarizes no durations", () => {
    expect(summarizeDurations([])).toEqual({ count: 0, mean: null, median: null, p90: null });
  });
});

describe("rate", () => {
  it("part of whole", () => {
    expect(rate(1, 4)).toBe(0.25);
  });

  it("zero part", () => {
    expect(rate(0, 5)).toBe(0);
  });

  it("zero whole gives null", () => {
    expect(rate(0, 0)).toBeNull();
    expect(rate(3, 0)).toBeNull();
  });
});
