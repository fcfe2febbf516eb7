// Shared by the chart-spec tests: compile a spec with vega-lite and collect its warnings, and
// draw it headless with vega.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Compiles a spec to Vega and returns what vega-lite warned about; an error is a warning too. */
export function compileWarnings(spec: TopLevelSpec): string[] {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    warn: (...args: unknown[]) => {
      warnings.push(args.join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
    error: (...args: unknown[]) => {
      warnings.push(`error: ${args.join(' ')}`);
      return logger;
    },
  };
  compile(spec, { logger: logger as never });
  return warnings;
}

/** Draws the spec headless and returns the SVG text. */
export async function draw(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
