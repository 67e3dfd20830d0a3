/**
 * One echarts line chart in a fixed-height box (no layout jumps while points stream in), resized
 * with its container. `data-points` exposes how many points it holds, for tests and e2e checks.
 */
import { useEffect, useRef } from 'react';
import { CHART_COLORS, useResolvedTheme } from '../shell/theme.ts';
import { canDraw, echarts } from './echarts-setup.ts';
import { pointCount, type Series } from './series.ts';

export interface LineChartProps {
  title: string;
  series: Series[];
  xName: string;
  yName: string;
  y2Name?: string;
  logY?: boolean;
  height?: number;
  testId: string;
}

type Chart = ReturnType<typeof echarts.init>;

export function LineChart({ title, series, xName, yName, y2Name, logY, height = 220, testId }: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<Chart | null>(null);
  const theme = useResolvedTheme();

  useEffect(() => {
    const el = box.current;
    if (!el || !canDraw()) return;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => c.resize()) : null;
    ro?.observe(el);
    return () => {
      ro?.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    const colors = CHART_COLORS[theme];
    const axis = (name: string, type: 'value' | 'log' = 'value') => ({
      type,
      name,
      scale: true,
      nameTextStyle: { color: colors.text },
      axisLabel: { color: colors.text },
      axisLine: { lineStyle: { color: colors.grid } },
      splitLine: { lineStyle: { color: colors.grid } },
    });
    c.setOption(
      {
        animation: false, // streaming points would otherwise re-animate on every update
        color: colors.series,
        textStyle: { color: colors.text },
        grid: { left: 56, right: y2Name ? 56 : 16, top: 36, bottom: 48 },
        tooltip: { trigger: 'axis' },
        legend: { type: 'scroll', top: 0, textStyle: { color: colors.text } },
        dataZoom: [{ type: 'inside' }],
        xAxis: { ...axis(xName), nameLocation: 'middle', nameGap: 28 },
        yAxis: y2Name ? [axis(yName, logY ? 'log' : 'value'), axis(y2Name)] : axis(yName, logY ? 'log' : 'value'),
        series: series.map((s) => ({
          type: 'line',
          name: s.name,
          data: s.data,
          yAxisIndex: s.yAxis ?? 0,
          showSymbol: s.dashed === true || s.data.length < 3,
          lineStyle: { type: s.dashed ? 'dashed' : 'solid', width: 1.5 },
        })),
      },
      { replaceMerge: ['series', 'yAxis'] },
    );
  }, [series, theme, xName, yName, y2Name, logY]);

  const n = pointCount(series);
  return (
    <figure className="chart" data-testid={testId} data-points={n}>
      <figcaption>{title}</figcaption>
      <div className="chart-area" style={{ height }}>
        {/* echarts owns this div's children; React only renders the overlay beside it */}
        <div ref={box} className="chart-canvas" role="img" aria-label={`${title}: ${n} points`} />
        {n === 0 && <p className="chart-empty">No points yet</p>}
      </div>
    </figure>
  );
}
