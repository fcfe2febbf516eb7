/**
 * The one place that loads vega: imported dynamically by Chart.svelte, so the first screen never
 * waits for the chart libraries. Expressions are interpreted (vega-interpreter) rather than
 * compiled with `new Function`, so charts run under a Content-Security-Policy without
 * 'unsafe-eval'.
 */
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';

export type { Result };

export function renderChart(element: HTMLElement, spec: VisualizationSpec): Promise<Result> {
  return embed(element, spec, {
    actions: false,
    renderer: 'svg',
    ast: true,
    expr: expressionInterpreter,
    config: {
      font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      axis: { labelColor: '#556070', titleColor: '#1b2430', gridColor: '#e6e9ee' },
      legend: { labelColor: '#1b2430', titleColor: '#1b2430' },
      view: { stroke: null },
    },
  });
}
