import { describe, expect, it } from 'vitest';
import { modelHash } from '../../lab/model/hash.ts';
import { ModelValidationError, parseModel } from '../../lab/model/spec.ts';

/** DESIGN.md's example, with its "..." filled in (and a relationship component for its override). */
const DESIGN_EXAMPLE = `{ "name": "balanced", "scale": [0, 100], "bands": { "red": 40, "yellow": 70 },
  "components": [
    { "key": "usage", "weight": 0.35, "metrics": [
      { "metric": "active_user_ratio_30d", "weight": 0.6, "direction": "higher_is_better",
        "normalize": { "method": "percentile", "within": "segment" }, "seasonal_adjust": true },
      { "metric": "logins_trend_90d", "weight": 0.4, "direction": "higher_is_better",
        "normalize": { "method": "thresholds", "points": [[-0.5, 0], [0, 50], [0.5, 100]] } } ] },
    { "key": "support", "weight": 0.2, "metrics": [
      { "metric": "tickets_opened_90d", "weight": 1, "direction": "lower_is_better",
        "normalize": { "method": "percentile", "within": "all" } } ] },
    { "key": "relationship", "weight": 0.15, "metrics": [
      { "metric": "nps_latest", "weight": 1, "direction": "higher_is_better",
        "normalize": { "method": "minmax", "min": 0, "max": 10 } } ] } ],
  "segments": { "Enterprise": { "components": { "relationship": { "weight": 0.25 } } } } }`;

/** A small valid model to break one field at a time. */
function model(): Record<string, unknown> & { components: Record<string, unknown>[] } {
  return {
    name: 'test',
    bands: { red: 40, yellow: 70 },
    components: [
      {
        key: 'usage',
        weight: 1,
        metrics: [
          {
            metric: 'active_user_ratio_30d',
            weight: 1,
            direction: 'higher_is_better',
            normalize: { method: 'percentile' },
          },
        ],
      },
      {
        key: 'support',
        weight: 1,
        metrics: [
          {
            metric: 'tickets_opened_90d',
            weight: 1,
            direction: 'lower_is_better',
            normalize: { method: 'minmax', min: 0, max: 10 },
          },
        ],
      },
    ],
  };
}

function problems(input: unknown): string[] {
  try {
    parseModel(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelValidationError);
    return (error as ModelValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the model to be rejected');
}

const metric = (m: ReturnType<typeof model>, c: number, i = 0) =>
  (m.components[c]!.metrics as Record<string, unknown>[])[i]!;

describe('model spec', () => {
  it('parses the example of DESIGN.md and fills in defaults', () => {
    const parsed = parseModel(DESIGN_EXAMPLE);
    expect(parsed.name).toBe('balanced');
    expect(parsed.missing).toBe('renormalize');
    expect(parsed.components.map((c) => c.key)).toEqual(['usage', 'support', 'relationship']);
    expect(parsed.components[0]!.metrics[0]!.seasonal_adjust).toBe(true);
    expect(parsed.components[0]!.metrics[1]!.seasonal_adjust).toBe(false);
    expect(parsed.segments.Enterprise!.components.relationship!.weight).toBe(0.25);
    const m = model();
    expect(parseModel(m).components[0]!.metrics[0]!.normalize).toEqual({
      method: 'percentile',
      within: 'all',
    });
  });

  it('names the path of an unknown metric and lists the known ones', () => {
    const m = model();
    metric(m, 1).metric = 'foo';
    const [problem] = problems(m);
    expect(problem).toMatch(
      /^components\[1\]\.metrics\[0\]\.metric: unknown metric "foo"; known: active_user_ratio_30d, .*, signal:<name>:latest \| avg_<N>d \| trend_<N>d$/,
    );
  });

  it('rejects bands out of order, at the yellow threshold', () => {
    expect(problems({ ...model(), bands: { red: 70, yellow: 70 } })).toEqual([
      'bands.yellow: yellow must be greater than red (score < red is red, < yellow is yellow, else green)',
    ]);
  });

  it('checks normalisation parameters with exact paths', () => {
    const m = model();
    metric(m, 0).normalize = {
      method: 'thresholds',
      points: [
        [0, 0],
        [0, 50],
        [1, 120],
      ],
    };
    metric(m, 1).normalize = { method: 'minmax', min: 5, max: 5 };
    expect(problems(m)).toEqual([
      'components[0].metrics[0].normalize.points[2][1]: y must be 0 to 100',
      "components[0].metrics[0].normalize.points[1][0]: x must be strictly greater than the previous point's x (0)",
      'components[1].metrics[0].normalize.max: min must be less than max',
    ]);
    const n = model();
    metric(n, 0).normalize = {
      method: 'thresholds',
      points: [
        [0, 0],
        [0, 50],
      ],
    };
    expect(problems(n)).toEqual([
      "components[0].metrics[0].normalize.points[1][0]: x must be strictly greater than the previous point's x (0)",
    ]);
    const o = model();
    metric(o, 0).normalize = { method: 'zscore' };
    expect(problems(o)).toEqual([
      'components[0].metrics[0].normalize.method: method must be percentile, minmax or thresholds',
    ]);
  });

  it('rejects thresholds that contradict the direction', () => {
    const m = model();
    metric(m, 1).normalize = {
      method: 'thresholds',
      points: [
        [0, 0],
        [10, 100],
      ],
    };
    expect(problems(m)).toEqual([
      'components[1].metrics[0].normalize.points: the points rise with x but direction is lower_is_better; threshold y values are the normalised health value itself',
    ]);
  });

  it('rejects typos, negative weights and seasonal adjustment of a non-usage metric', () => {
    const m = model();
    m.components[0]!.wieght = 2;
    m.components[1]!.weight = -1;
    metric(m, 1).seasonal_adjust = true;
    expect(problems(m)).toEqual([
      'components[0]: Unrecognized key: "wieght"',
      'components[1].weight: a weight must be 0 or more',
      'components[1].metrics[0].seasonal_adjust: metric "tickets_opened_90d" has no seasonally adjusted variant (only daily usage series have one)',
    ]);
  });

  it('checks cross references: duplicate keys, overrides, zero weights', () => {
    const m = model();
    m.components[1]!.key = 'usage';
    expect(problems(m)).toEqual([
      'components[1].key: duplicate component key "usage" (also components[0])',
    ]);

    const n = model();
    n.segments = {
      Enterprise: { components: { relationshp: { weight: 2 } } },
      'Mid-Market': { components: { usage: { metrics: { nps_latest: { weight: 1 } } } } },
      SMB: { components: { usage: { weight: 0 }, support: { weight: 0 } } },
    };
    expect(problems(n)).toEqual([
      'segments.Enterprise.components.relationshp: no component "relationshp" in components; known: usage, support',
      'segments["Mid-Market"].components.usage.metrics.nps_latest: component "usage" has no metric "nps_latest"; it has: active_user_ratio_30d',
      'segments.SMB.components: component weights are all 0 for segment "SMB"',
    ]);

    const o = model();
    metric(o, 0).weight = 0;
    expect(problems(o)).toEqual([
      'components[0].metrics: the metric weights of component "usage" are all 0',
    ]);
  });

  it('lists every problem in one error message', () => {
    const m = model();
    metric(m, 0).metric = 'foo';
    metric(m, 1).direction = 'up';
    m.bands = { red: 80, yellow: 20 };
    expect(() => parseModel(m)).toThrow(
      /^invalid model \(3 problems\):\n- bands\.yellow: .*\n- components\[0\]\.metrics\[0\]\.metric: unknown metric "foo";.*\n- components\[1\]\.metrics\[0\]\.direction: /s,
    );
    expect(problems('{"name": ')).toEqual([expect.stringMatching(/^: not valid JSON: /)]);
  });

  it('hashes the canonical JSON: key order and defaults do not matter, meaning does', () => {
    const a = parseModel(model());
    const reordered = JSON.parse(
      JSON.stringify(model(), (_k, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v as object).reverse())
          : v,
      ),
    ) as unknown;
    const explicit = { ...model(), missing: 'renormalize', segments: {}, scale: [0, 100] };
    expect(modelHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(modelHash(parseModel(reordered))).toBe(modelHash(a));
    expect(modelHash(parseModel(explicit))).toBe(modelHash(a));
    const changed = model();
    metric(changed, 0).weight = 2;
    expect(modelHash(parseModel(changed))).not.toBe(modelHash(a));
  });
});
