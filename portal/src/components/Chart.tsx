import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: number[];
  color: string;
}

/** A line chart over days or hours, with its figures also in words for those who cannot see it. */
export function LineChart({ title, labels, series }: { title: string; labels: string[]; series: Series[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || labels.length === 0) return;
    const width = Math.max(280, element.clientWidth);
    const chart = new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: false } },
        axes: [{ values: (_chart, ticks) => ticks.map((tick) => labels[tick] ?? '') }, {}],
        series: [{}, ...series.map((line) => ({ label: line.label, stroke: line.color, width: 2 }))],
        legend: { show: true },
      },
      [labels.map((_, index) => index), ...series.map((line) => line.values)],
      element,
    );
    const resize = () => chart.setSize({ width: Math.max(280, element.clientWidth), height: 240 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [labels, series]);
  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {labels.length === 0 ? <p>No figures for these days yet.</p> : <div ref={box} data-testid="chart" aria-hidden="true" />}
      <p className="visually-hidden">
        {series.map((line) => `${line.label}: ${total(line.values)} in all`).join('; ')}
      </p>
    </figure>
  );
}
