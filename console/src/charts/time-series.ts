import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** `points`: mark each value, for a series with gaps, where a lone minute would otherwise draw nothing. */
export type SeriesSpec = { label: string; stroke: string; fill?: string; points?: boolean };

export type TimeSeries = {
  /** Replaces the data: x in seconds since the epoch, one y array per series. */
  set(x: number[], ys: (number | null)[][]): void;
  destroy(): void;
};

const HEIGHT = 220;

/**
 * A time-series chart (uPlot, on a canvas) that follows its container's width. Loaded with the
 * page that draws it, never with the first page.
 */
export function timeSeries(container: HTMLElement, series: SeriesSpec[], unit: string): TimeSeries {
  const width = () => Math.max(200, container.clientWidth);
  const plot = new uPlot(
    {
      width: width(),
      height: HEIGHT,
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, width: 2, spanGaps: false, points: { show: s.points ?? false, size: 5 } }))],
      axes: [{}, { label: unit, size: 56 }],
      scales: { x: { time: true } },
      legend: { live: true },
    },
    [[], ...series.map(() => [])],
    container,
  );
  const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
  resize.observe(container);
  return {
    set: (x, ys) => plot.setData([x, ...ys] as uPlot.AlignedData),
    destroy: () => {
      resize.disconnect();
      plot.destroy();
    },
  };
}
