/**
 * Types for the parts of asciichart (which ships none) that the demo uses. See
 * https://github.com/kroitor/asciichart for every option.
 */
declare module 'asciichart' {
  export interface PlotConfig {
    /** The y range drawn: data outside it widens it. Two charts with the same min/max share a scale. */
    min?: number;
    max?: number;
    /** Rows of the chart (the y range is divided into this many steps). */
    height?: number;
    /** Columns between the labels and the plot. Default 3. */
    offset?: number;
    /** Formats the y labels. */
    format?: (value: number, index: number) => string;
    /** ANSI color codes, one per series. */
    colors?: string[];
  }
  /** One or more series of numbers, drawn as lines; returns the chart as lines of text. */
  export function plot(series: readonly number[] | readonly (readonly number[])[], config?: PlotConfig): string;
  const asciichart: { plot: typeof plot };
  export default asciichart;
}
