import { z } from 'zod';

/** A real calendar date written YYYY-MM-DD. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'not a calendar date');

/** A query parameter that may repeat (`?band=red&band=yellow`) or hold a comma list. */
export const stringList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  )
  .pipe(z.array(z.string().max(200)).max(100));

/** The content type of a JSON reply sent as a string (a kept, already serialised reply). */
export const JSON_REPLY = 'application/json; charset=utf-8';
