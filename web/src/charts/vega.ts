/**
 * The one place that loads vega: imported dynamically by Chart.svelte, so the first screen never
 * waits for the chart libraries. Expressions are interpreted (vega-interpreter) rather than
 * compiled with `new Function`, so charts run under a Content-Security-Policy without
 * 'unsafe-eval'. Nor does anything here inject a <style> element (the policy's style-src is
 * 'self' only): vega-embed's own style is for its actions menu, which is off, and the tooltip's
 * style is installed as a constructed stylesheet, which CSP does not govern.
 */
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';

export type { Result };

/** vega-tooltip's light theme, for the element it shows (#vg-tooltip-element). */
const TOOLTIP_CSS = `
#vg-tooltip-element {
  visibility: hidden;
  padding: 8px;
  position: fixed;
  z-index: 1000;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 11px;
  border-radius: 3px;
  box-shadow: 2px 2px 4px rgba(0, 0, 0, 0.1);
  white-space: pre-line;
  background-color: rgba(255, 255, 255, 0.95);
  border: 1px solid #d9d9d9;
  color: black;
}
#vg-tooltip-element.visible { visibility: visible; }
#vg-tooltip-element h2 { margin-top: 0; margin-bottom: 10px; font-size: 13px; }
#vg-tooltip-element table { border-spacing: 0; }
#vg-tooltip-element table tr { border: none; }
#vg-tooltip-element table tr td {
  overflow: hidden;
  text-overflow: ellipsis;
  padding-top: 2px;
  padding-bottom: 2px;
  vertical-align: text-top;
}
#vg-tooltip-element table tr td.key {
  color: #808080;
  max-width: 150px;
  text-align: right;
  padding-right: 4px;
}
#vg-tooltip-element table tr td.value {
  display: block;
  max-width: 300px;
  max-height: 7em;
  text-align: left;
}
`;

let tooltipStyled = false;

function adoptTooltipStyle(): void {
  if (tooltipStyled) return;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(TOOLTIP_CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  tooltipStyled = true;
}

export function renderChart(element: HTMLElement, spec: VisualizationSpec): Promise<Result> {
  adoptTooltipStyle();
  return embed(element, spec, {
    actions: false,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
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
