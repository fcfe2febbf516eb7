import { stabilityMeasure } from './timeline.ts';

/** What each figure of a backtest means, in words, with this run's numbers filled in. */
export function definitions(settings: {
  horizon: number;
  every: number;
  dataEnd: string;
  bootstrap: { reps: number; seed: number };
}): Record<string, string> {
  const h = settings.horizon;
  return {
    snapshot: `an account active at date T (started on or before T, no churn on or before T), scored with metrics that read only rows dated on or before T`,
    label: `churned (1) when the account's first churned outcome falls in (T, T + ${h} days]; otherwise not churned (0), renewals and expansions included`,
    excluded: `snapshots whose window (T, T + ${h} days] runs past the last day of data (${settings.dataEnd}) with no outcome inside it: their label is not known yet, so they are counted and left out, never taken as not churned`,
    unscored:
      'labelled snapshots whose score is null (no metric had a value): counted and left out',
    risk: 'ranking figures treat 100 - score as risk: the lowest scores are the riskiest',
    rocAuc:
      'ROC AUC of churn within the horizon against risk: the chance that a churned snapshot scores lower than a not-churned one (ties count one half)',
    prAuc: 'average precision (area under the precision-recall curve, step-wise, as scikit-learn)',
    intervals:
      settings.bootstrap.reps > 0
        ? `95% percentile intervals from ${settings.bootstrap.reps} bootstrap resamples of accounts (seed ${settings.bootstrap.seed}): each resample draws accounts with replacement and keeps all their snapshots, because snapshots of one account are correlated`
        : 'no intervals (bootstrap reps 0)',
    arr: 'ARR at T: accounts.arr minus the arr_delta of renewal outcomes (renewed, expanded, contracted) dated after T; summed over snapshots',
    arrChurned:
      'ARR lost by churned snapshots: minus the churn outcome arr_delta (the ARR at T when it has none)',
    bands: 'churn rate by band: churned snapshots / snapshots in the band',
    lift: 'deciles of risk by rank (ties never split): lift = the decile churn rate / the overall churn rate; capture = the share of all churned snapshots in the decile',
    calibration:
      'deciles of the score at its quantiles, lowest scores first: mean score and observed churn rate',
    redSnapshots:
      'red as an alert on snapshots: precision = red snapshots that churned within the horizon / red snapshots; recall = churned snapshots that were red / churned snapshots',
    redAlerts: `an alert is a snapshot where an account turns red (red, and not red at its previous snapshot or it has none); precision = alerts followed by churn within ${h} days / alerts with a known label`,
    redLead: `over accounts whose last snapshot churned within the horizon: caught = red at that last snapshot; lead = days from the first snapshot of the unbroken run of red snapshots ending there to the churn date (a run starting at the first snapshot date may have begun earlier: left-censored)`,
    stability: stabilityMeasure(settings.every),
  };
}
