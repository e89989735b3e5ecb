// A bar chart drawn in the page (SVG, no library), with its numbers as a table beside it: the
// picture for the eye, the table for screen readers, copying and checking. The SVG is an image
// with a name (role="img", the chart's title) and hides its parts from assistive technology; the
// table holds every label and number. Bars are sized in per cent of the chart's width (SVG
// lengths, not styles: the service's Content-Security-Policy allows no inline style), so the
// text keeps its size from a 360 px phone to a desktop.
import { formatNumber, lang } from './format-lang';
import { t } from './i18n';

export interface ChartRow { label: string; n: number; warn?: boolean }

const ROW = 34; // px per row: the label above, the bar below

export function BarChart({ id, title, rows, labelHeader }: { id: string; title: string; rows: ChartRow[]; labelHeader: string }) {
  const max = Math.max(1, ...rows.map((r) => r.n));
  const width = (n: number) => (85 * n) / max; // per cent; the rest holds the number
  return (
    <section class="card chart" aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>{title}</h2>
      {rows.length === 0 ? <p class="muted">{t('dash_none')}</p> : (
        <svg class="chart-svg" width="100%" height={rows.length * ROW} role="img" aria-labelledby={id + '-title'} data-testid={id + '-chart'}>
          {rows.map((r, i) => (
            <g aria-hidden="true">
              <text class="chart-label" x="0" y={i * ROW + 12}>{r.label}</text>
              <rect class="chart-track" x="0" y={i * ROW + 17} width="85%" height="12" rx="2" />
              <rect class={r.warn ? 'chart-bar chart-bar-warn' : 'chart-bar'} x="0" y={i * ROW + 17} width={`${width(r.n)}%`} height="12" rx="2" />
              <text class="chart-n" x={`${width(r.n) + 1.5}%`} y={i * ROW + 28}>{formatNumber(r.n, lang())}</text>
            </g>
          ))}
        </svg>
      )}
      <details class="chart-data">
        <summary>{t('dash_table')}</summary>
        <table class="chart-table" data-testid={id}>
          <caption class="sr-only">{title}</caption>
          <thead><tr><th scope="col">{labelHeader}</th><th scope="col">{t('dash_count')}</th></tr></thead>
          <tbody>
            {rows.map((r) => (
              <tr><th scope="row">{r.label}</th><td class="bar-n">{formatNumber(r.n, lang())}</td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
