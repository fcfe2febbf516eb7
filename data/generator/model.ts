/**
 * The parameters of the demo data's generative model, in one place so that data/README.md can
 * quote them and the SQL builders read them. Health `z` is latent and dimensionless: across the
 * portfolio it is roughly normal with mean ~0 and sd ~1; higher is healthier.
 */

export const SEGMENTS = ['SMB', 'Mid-Market', 'Enterprise'] as const;
/** A value per segment, in the order of SEGMENTS. */
export type PerSegment = readonly [number, number, number];

export const SEGMENT_SHARE: PerSegment = [0.6, 0.3, 0.1];

/** Log-normal ARR at the start of the window (or at signing), clamped to the segment's range. */
export const ARR = {
  median: [12_000, 65_000, 330_000] as PerSegment,
  sigma: [0.45, 0.4, 0.5] as PerSegment,
  min: [5_000, 30_000, 150_000] as PerSegment,
  max: [30_000, 150_000, 1_000_000] as PerSegment,
};

/** Plans by segment (cumulative shares) and list price per seat per year. */
export const PLANS = ['Starter', 'Growth', 'Business', 'Enterprise'] as const;
export const PLAN_SHARE: Record<(typeof SEGMENTS)[number], readonly number[]> = {
  SMB: [0.55, 0.4, 0.05, 0],
  'Mid-Market': [0, 0.35, 0.55, 0.1],
  Enterprise: [0, 0, 0.25, 0.75],
};
export const SEAT_PRICE = [360, 540, 720, 600] as const;

export const REGIONS = ['NA', 'EMEA', 'APAC', 'LATAM'] as const;
export const REGION_SHARE = [0.45, 0.3, 0.15, 0.1] as const;

export const INDUSTRIES = [
  'Software',
  'Financial Services',
  'Healthcare',
  'Retail & E-commerce',
  'Manufacturing',
  'Education',
  'Media & Entertainment',
  'Professional Services',
] as const;

/** Customer success managers; SMB is pooled (many accounts each), Enterprise is named. */
export const OWNERS: Record<(typeof SEGMENTS)[number], readonly string[]> = {
  SMB: [
    'Avery Collins',
    'Jordan Patel',
    'Riley Nakamura',
    'Morgan Schmidt',
    'Casey Okafor',
    'Quinn Alvarez',
    'Drew Lindqvist',
    'Sam Moreau',
  ],
  'Mid-Market': [
    'Taylor Brennan',
    'Jamie Castillo',
    'Alex Novak',
    'Robin Haddad',
    'Cameron Zhou',
    'Parker Mensah',
    'Reese Kowalski',
  ],
  Enterprise: [
    'Dana Whitfield',
    'Elliot Sørensen',
    'Harper Iyer',
    'Logan Ferreira',
    'Sasha Volkov',
  ],
};

/** How accounts are spread in time. */
export const TIMELINE = {
  /** Share of accounts that signed before the window; the rest sign uniformly inside it. */
  establishedShare: 0.65,
  /** Established accounts signed uniformly within this many years before the window. */
  historyYears: 4,
  /** The health process starts this many weeks before the window so trends exist on day one. */
  warmupWeeks: 26,
};

/**
 * Latent health: z(t) = base + x(t) + shock(t).
 * base ~ N(segment mean, baseSd); x is a weekly AR(1) started from its stationary law;
 * shocks (a champion leaves, a failed rollout) arrive at shockRate per week and decay with shockPhi.
 */
export const HEALTH = {
  baseMean: [-0.1, 0.05, 0.25] as PerSegment,
  baseSd: 0.6,
  phi: 0.98,
  /** Stationary sd of x; innovations have sd * sqrt(1 - phi^2). */
  sd: 0.55,
  shockRate: 0.003,
  shockMin: 0.8,
  shockMax: 1.8,
  shockPhi: 0.985,
  /** Usage drift: an AR(1) independent of health added to the health that usage metrics see. */
  driftPhi: 0.95,
  driftSd: 0.5,
  /** Weeks back for the trend that renewal decisions look at (about 90 days). */
  trendWeeks: 13,
};

/**
 * Renewal at each contract anniversary:
 * logit P(churn) = intercept[segment] + zSlope * z + trendSlope * (z - z 13 weeks earlier).
 * Monthly-billed accounts can also cancel at a monthly billing date with the monthly intercept.
 */
export const CHURN = {
  intercept: [-4.3, -4.8, -5.1] as PerSegment,
  zSlope: -3.0,
  trendSlope: -1.2,
  monthlyIntercept: -8.5,
  /** Given renewal: logit P(expand) and logit P(contract | not expanded). */
  expandIntercept: [-1.6, -1.3, -1.0] as PerSegment,
  expandSlope: 0.9,
  expandMin: 0.08,
  expandMax: 0.4,
  contractIntercept: -2.2,
  contractSlope: -0.9,
  contractMin: 0.05,
  contractMax: 0.3,
};

/**
 * Billing: SMB Starter is billed monthly, SMB Growth monthly with monthlyGrowthShare (else yearly),
 * Mid-Market quarterly with quarterlyMidMarketShare (else yearly), everything else yearly.
 */
export const BILLING = {
  monthlyGrowthShare: 0.4,
  quarterlyMidMarketShare: 0.5,
  /** Payment terms in days. */
  netDays: [30, 30, 45] as PerSegment,
  /** logit P(late) = lateIntercept + lateSlope * z. */
  lateIntercept: -2.4,
  lateSlope: -1.0,
  /** Mean days paid after the due date when late (exponential). */
  lateMeanDays: 18,
  /** Chance that a churned account never pays its last invoice. */
  writeOffShare: 0.35,
};

/** Daily usage. */
export const USAGE = {
  /** logit of the weekday share of seats active: intercept + segment + account style + slope * z. */
  adoptionIntercept: 0.2,
  adoptionSegment: [0, -0.15, -0.45] as PerSegment,
  adoptionStyleSd: 0.5,
  adoptionSlope: 0.9,
  /** Monday..Sunday. */
  weekday: [1.0, 1.03, 1.03, 1.0, 0.9, 0.32, 0.26] as const,
  /** Day-to-day multiplicative noise (log sd). */
  dailyNoise: 0.08,
  /** New accounts ramp up: 1 - ramp * exp(-days since start / rampDays). */
  ramp: 0.7,
  rampDays: 21,
  loginsPerUser: 1.1,
  loginsHealthBonus: 0.5,
  eventsPerLogin: 6,
  eventsHealthSlope: 0.35,
  /** Account habits unrelated to health (log sd): logins per user, events per login. */
  loginStyleSd: 0.7,
  eventStyleSd: 0.8,
  /** Breadth: features used = (6 + 24 * sigmoid(0.3 + breadth style + breadthSlope * z)) * saturation. */
  featureCount: 40,
  breadthStyleSd: 0.9,
  breadthSlope: 0.8,
};

/** Seasonal multipliers on activity, by calendar day (the same for every account). */
export const SEASON = {
  holidayPeak: 0.3, // Dec 24-26, Dec 31, Jan 1
  holiday: 0.5, // Dec 20 - Jan 2 otherwise
  holidayShoulder: 0.8, // Dec 17-19, Jan 3-5
  summer: 0.82, // Jul 15 - Aug 31
  summerShoulder: 0.92, // Jul 8-14, Sep 1-7
};

/**
 * Support tickets come in two kinds. "How-to" tickets grow with adoption (busy healthy accounts
 * ask questions): weekly rate howToRate[segment] * sigmoid(0.2 + 0.9 zu) / sigmoid(0.2). "Problem"
 * tickets grow as health falls: problemRate[segment] * exp(problemSlope * z), and are more often
 * high or urgent. So the raw ticket count says little; priority and CSAT say more.
 */
export const SUPPORT = {
  howToRate: [0.3, 0.75, 1.8] as PerSegment,
  problemRate: [0.03, 0.08, 0.2] as PerSegment,
  problemSlope: -0.9,
  /** Candidate slots per week and kind; each becomes a ticket with probability rate / slots. */
  slots: 4,
  /** Priority score: N(0, 1) + offset (- 0.5 z for problems); > 2.0 urgent, > 1.1 high, > -0.6 normal. */
  howToPriorityOffset: -0.8,
  problemPriorityOffset: 0.6,
  /** Median hours to close at z = 0; multiplied by exp(durationSlope * z) and a log-normal. */
  medianHours: 20,
  durationSlope: -0.35,
  durationSd: 1.0,
  csatResponse: 0.45,
  csatMean: 3.9,
  csatSlope: 0.6,
  csatSd: 0.9,
};

/** Surveys: quarterly NPS, occasional relationship CSAT. */
export const SURVEY = {
  npsResponseIntercept: -0.1,
  npsResponseSlope: 0.7,
  npsMean: 7.2,
  npsSlope: 1.6,
  npsSd: 1.4,
  csatShare: 0.3,
  csatMean: 4.0,
  csatSlope: 0.55,
  csatSd: 0.8,
};

/**
 * Onboarding milestones, reached in this order: median days after the previous one (the first:
 * after the start) and logit P(never reached) at base health 0.
 */
export const MILESTONES = [
  { name: 'kickoff', medianGapDays: 6, neverLogit: -5.0 },
  { name: 'integration_live', medianGapDays: 24, neverLogit: -2.6 },
  { name: 'first_report', medianGapDays: 10, neverLogit: -2.9 },
  { name: 'team_invited', medianGapDays: 10, neverLogit: -2.3 },
  { name: 'admin_trained', medianGapDays: 20, neverLogit: -2.0 },
] as const;
export const MILESTONE_TIMING = { healthSlope: -0.35, sd: 0.45, neverSlope: -1.0 };

/**
 * Engagement, generated from candidate slots per account and week. logit P(slot used) =
 * intercept[segment] + healthSlope * z (+ trendSlope * 13-week change). Routine meetings (QBRs,
 * check-ins), events and community mildly track health; escalation meetings rise when an account
 * is in trouble, so the meeting count is U-shaped in health. Email opens come from one campaign a
 * week and depend on an account's own open rate far more than on its health.
 */
export const ENGAGEMENT = {
  meeting: { slots: 2, intercept: [-3.0, -2.2, -1.4] as PerSegment, healthSlope: 0.35 },
  escalation: { slots: 1, intercept: [-3.6, -3.6, -3.6] as PerSegment, healthSlope: -1.2 },
  escalationTrendSlope: -1.5,
  event: { slots: 1, intercept: [-3.8, -3.3, -2.8] as PerSegment, healthSlope: 0.4 },
  community: { slots: 3, intercept: [-2.8, -2.4, -2.0] as PerSegment, healthSlope: 0.3 },
  /** One campaign a week, sent on this weekday (0 = Monday). */
  emailCampaignWeekday: 1,
  emailOpenIntercept: -1.3,
  emailStyleSd: 0.5,
  emailHealthSlope: 0.05,
};

/** Custom signals: weekly api_calls (once integrated) and a monthly product_qualified_score. */
export const SIGNALS = {
  apiCallsPerActiveSeat: 40,
  apiNoise: 0.3,
  pqsMean: 50,
  pqsSlope: 14,
  pqsSd: 18,
};
