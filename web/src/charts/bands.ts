/**
 * Health bands as charts and tables show them. The colours come from the Okabe-Ito palette,
 * which people with the common colour-vision deficiencies can tell apart (vermillion, orange,
 * bluish green differ in lightness as well as hue), and a band is never shown by colour alone:
 * every chart labels its marks or legend with the band's name, and tables add an icon.
 */
export const BANDS = ['red', 'yellow', 'green'] as const;
export type Band = (typeof BANDS)[number];

export const BAND_LABEL: Record<Band, string> = { red: 'Red', yellow: 'Yellow', green: 'Green' };

export const BAND_COLOR: Record<Band, string> = {
  red: '#D55E00',
  yellow: '#E69F00',
  green: '#009E73',
};

/** A vega-lite colour scale that maps band names to their colours in band order. */
export function bandScale() {
  return { domain: [...BANDS], range: BANDS.map((band) => BAND_COLOR[band]) };
}
