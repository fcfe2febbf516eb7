/** What the overview's band cards say: accounts and ARR per band now, and the change since. */
import type { BandBreakdown, Overview } from '../../api/overview.ts';
import { BAND_LABEL, BANDS, type Band } from '../../charts/bands.ts';

export type BandKey = Band | 'unscored';

export interface BandCard {
  key: BandKey;
  label: string;
  accounts: number;
  arr: number;
  /** Share of all accounts, 0-1. */
  share: number;
  /** Change since the previous date; null when there is none to compare with. */
  accountsChange: number | null;
  arrChange: number | null;
}

/** A card per band, then one for unscored accounts when there are any now or before. */
export function bandCards(bands: Overview['bands']): BandCard[] {
  const { now, previous } = bands;
  const total = [...BANDS, 'unscored' as const].reduce((sum, key) => sum + now[key].accounts, 0);
  const card = (key: BandKey): BandCard => ({
    key,
    label: key === 'unscored' ? 'Unscored' : BAND_LABEL[key],
    accounts: now[key].accounts,
    arr: now[key].arr,
    share: total > 0 ? now[key].accounts / total : 0,
    accountsChange: previous ? now[key].accounts - previous[key].accounts : null,
    arrChange: previous ? now[key].arr - previous[key].arr : null,
  });
  const cards = BANDS.map(card);
  if (hasAccounts(now) || (previous !== null && hasAccounts(previous)))
    cards.push(card('unscored'));
  return cards;
}

function hasAccounts(breakdown: BandBreakdown): boolean {
  return breakdown.unscored.accounts > 0;
}
