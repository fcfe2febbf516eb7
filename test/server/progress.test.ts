import { describe, expect, it } from 'vitest';
import { cliProgress, type ProgressStream } from '../../server/cli/progress.ts';

function stream(isTTY: boolean): ProgressStream & { text: () => string } {
  const chunks: string[] = [];
  return {
    isTTY,
    write: (text: string) => chunks.push(text) > 0,
    text: () => chunks.join(''),
  };
}

describe('CLI progress', () => {
  it('writes plain lines off a terminal: stage times and quarters of long stages', () => {
    const out = stream(false);
    const { progress, stop } = cliProgress('backtest', out);
    progress({ stage: 'metrics', done: 0, total: 1 });
    for (let done = 1; done <= 19; done++) progress({ stage: 'metrics', done, total: 19 });
    progress({ stage: 'metrics', done: 1, total: 1, seconds: 7.26 });
    progress({ stage: 'labels', done: 0, total: 1 });
    progress({ stage: 'labels', done: 1, total: 1, seconds: 0.5 });
    stop();
    expect(out.text().split('\n')).toEqual([
      'backtest: metrics 5/19',
      'backtest: metrics 10/19',
      'backtest: metrics 15/19',
      'backtest: metrics 19/19',
      'backtest: metrics in 7.3 s',
      'backtest: labels in 0.5 s',
      '',
    ]);
  });

  it('draws one bar on a terminal, relabelled per stage', () => {
    const out = stream(true);
    const { progress, stop } = cliProgress('compare', out);
    progress({ stage: 'metrics', done: 0, total: 1 });
    progress({ stage: 'metrics', done: 12, total: 19 });
    progress({ stage: 'bootstrap', done: 200, total: 200 });
    stop();
    const text = out.text();
    expect(text).toContain('compare bootstrap |');
    expect(text).toContain('200/200');
    expect(text).not.toContain('\n\n');
  });
});
