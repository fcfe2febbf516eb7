import { Presets, SingleBar } from 'cli-progress';
import type { Progress } from '../../lab/index.ts';

/** Where progress goes: stderr, or anything with the same two members (tests). */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

export interface CliProgress {
  progress: Progress;
  /** Ends the bar (if any); call once the run is over, whatever happened. */
  stop(): void;
}

/**
 * Progress of a long run of `command` on stderr. On a terminal: one bar, relabelled per stage,
 * with the steps of the stage (dates of metrics, bootstrap resamples, backfill batches). Elsewhere
 * (pipes, CI logs), plain lines: one per finished stage with its time, and for stages with many
 * steps one at each quarter, so a log shows where a slow run is without a line per step.
 */
export function cliProgress(command: string, stream: ProgressStream = process.stderr): CliProgress {
  return stream.isTTY ? barProgress(command, stream) : lineProgress(command, stream);
}

function barProgress(command: string, stream: ProgressStream): CliProgress {
  const bar = new SingleBar(
    {
      format: `${command} {stage} |{bar}| {value}/{total} | {duration_formatted}`,
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  let current = '';
  return {
    progress: ({ stage, done, total }) => {
      if (!started) {
        bar.start(total, done, { stage });
        started = true;
      } else if (stage !== current) {
        bar.setTotal(total);
      }
      if (total !== bar.getTotal()) bar.setTotal(total);
      current = stage;
      bar.update(done, { stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function lineProgress(command: string, stream: ProgressStream): CliProgress {
  const quarters = new Map<string, number>();
  return {
    progress: ({ stage, done, total, seconds }) => {
      if (seconds !== undefined) {
        stream.write(`${command}: ${stage} in ${seconds.toFixed(1)} s\n`);
        return;
      }
      if (total < 4 || done === 0) return;
      const quarter = Math.floor((4 * done) / total);
      if (quarter > (quarters.get(stage) ?? 0)) {
        quarters.set(stage, quarter);
        stream.write(`${command}: ${stage} ${done}/${total}\n`);
      }
    },
    stop: () => undefined,
  };
}
