/** Status tones shared by badges, icons and notices; each has its own icon shape and colours. */
export type Tone = 'ok' | 'warning' | 'error' | 'neutral';

/** A status as shown: its tone, a short label and, where useful, a sentence that explains it. */
export interface Verdict {
  tone: Tone;
  label: string;
  detail?: string;
}
