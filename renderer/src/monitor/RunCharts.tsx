/** The four training charts of the shown runs: loss per task, learning rate, throughput, memory. */
import { useMemo } from 'react';
import { LineChart } from '../charts/LineChart.tsx';
import { buildLossSeries, buildScalarSeries, type RunLines } from '../charts/series.ts';
import type { ChartOptions } from '../state/ui-state.ts';

export function RunCharts({ runs, options }: { runs: RunLines[]; options: ChartOptions }) {
  const xName = options.xAxis === 'step' ? 'step' : 'seconds';
  const loss = useMemo(() => buildLossSeries(runs, options), [runs, options]);
  const lr = useMemo(() => buildScalarSeries(runs, 'lr', options), [runs, options]);
  const tps = useMemo(() => buildScalarSeries(runs, 'tokensPerSec', options), [runs, options]);
  const mem = useMemo(() => buildScalarSeries(runs, 'rssMb', options), [runs, options]);
  return (
    <div className="chart-grid">
      <LineChart
        title="Loss (solid: training, dashed: held-out per task)"
        series={loss}
        xName={xName}
        yName="loss"
        testId="chart-loss"
        height={260}
      />
      <LineChart title="Learning rate" series={lr} xName={xName} yName="lr" testId="chart-lr" height={260} />
      <LineChart title="Throughput" series={tps} xName={xName} yName="tokens/s" testId="chart-tokens" height={200} />
      <LineChart
        title="Memory (process RSS)"
        series={mem}
        xName={xName}
        yName="MB"
        testId="chart-memory"
        height={200}
      />
    </div>
  );
}
