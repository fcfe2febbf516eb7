/**
 * Company names: "{prefix}{stem} {noun}", e.g. "Northwind Logistics". Account i gets combination
 * (i * 7919) mod 60,000, a bijection, so the first 60,000 accounts have distinct names; later ones
 * repeat a name with " 2", " 3", ... appended, so names stay unique.
 */
// prettier-ignore
const PREFIXES = [
  'North', 'South', 'East', 'West', 'Blue', 'Red', 'Green', 'Silver', 'Gold', 'Iron',
  'Stone', 'Bright', 'Clear', 'Swift', 'True', 'High', 'Deep', 'Far', 'Wild', 'Quiet',
  'Cedar', 'Maple', 'Oak', 'Pine', 'Birch', 'River', 'Lake', 'Harbor', 'Summit', 'Valley',
  'Sun', 'Moon', 'Star', 'Cloud', 'Storm', 'Frost', 'Ember', 'Coral', 'Amber', 'Indigo',
  'Nova', 'Astra', 'Terra', 'Vela', 'Orbit', 'Pixel', 'Quantum', 'Vector', 'Atlas', 'Polar',
];
// prettier-ignore
const STEMS = [
  'wind', 'stone', 'field', 'works', 'bridge', 'gate', 'path', 'point', 'ridge', 'way',
  'light', 'wave', 'leaf', 'peak', 'line', 'forge', 'mark', 'port', 'side', 'brook',
  'craft', 'scape', 'stream', 'view', 'well', 'wood', 'bay', 'crest', 'dale', 'haven',
  'loop', 'mint', 'nest', 'shift', 'spark', 'stack', 'tide', 'vale', 'yard', 'zen',
];
// prettier-ignore
const NOUNS = [
  'Labs', 'Systems', 'Group', 'Health', 'Logistics', 'Analytics', 'Software', 'Partners',
  'Networks', 'Foods', 'Energy', 'Media', 'Robotics', 'Finance', 'Capital', 'Retail',
  'Learning', 'Studios', 'Motors', 'Pharma', 'Security', 'Travel', 'Foundry', 'Bank',
  'Insurance', 'Consulting', 'Markets', 'Industries', 'Clinics', 'Cloud',
];

function sqlList(values: readonly string[]): string {
  return `[${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')}]`;
}

/** SQL for the name of account `idx` (1-based). */
export function accountNameSql(idx: string): string {
  const combos = PREFIXES.length * STEMS.length * NOUNS.length;
  const j = `((((${idx} - 1) % ${combos}) * 7919) % ${combos})`;
  const round = `((${idx} - 1) // ${combos})`;
  return `(${sqlList(PREFIXES)}[1 + ${j} % ${PREFIXES.length}]
    || ${sqlList(STEMS)}[1 + (${j} // ${PREFIXES.length}) % ${STEMS.length}]
    || ' ' || ${sqlList(NOUNS)}[1 + ${j} // ${PREFIXES.length * STEMS.length}]
    || CASE WHEN ${round} > 0 THEN ' ' || CAST(${round} + 1 AS VARCHAR) ELSE '' END)`;
}
