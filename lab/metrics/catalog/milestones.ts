import { aggregate, defineMetric } from '../define.ts';
import type { MetricDef } from '../types.ts';

const tables = ['milestones'] as const;

export const MILESTONE_METRICS: readonly MetricDef[] = [
  defineMetric({
    name: 'onboarding_milestones_share',
    description:
      'Share of the milestone kinds reached by T: distinct milestones the account reached by T over distinct milestones any account reached by T (NULL when none exist yet).',
    family: 'milestones',
    unit: 'ratio',
    tables,
    seasonal: false,
    aggregates: {
      reached: aggregate('milestones', null, 'count(DISTINCT t.milestone)'),
      kinds: aggregate('milestones', null, 'count(DISTINCT t.milestone)', undefined, {
        scope: 'portfolio',
      }),
    },
    value: (a) => `coalesce(${a.reached}, 0) / nullif(${a.kinds}, 0)`,
  }),
  defineMetric({
    name: 'days_to_first_value',
    description:
      'Days from the start date to the first milestone reached. Before any milestone: the days waited so far (start to T), a lower bound that keeps growing.',
    family: 'milestones',
    unit: 'days',
    tables,
    seasonal: false,
    aggregates: { first: aggregate('milestones', null, 'min(t.achieved_on)') },
    value: (a) => `greatest(0, coalesce(${a.first}, s.as_of) - s.start_date)`,
  }),
];
