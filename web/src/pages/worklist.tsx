// "Việc của tôi": the dossiers in the user's scope, filtered by the URL's query (state, level,
// unit, product_set, year, round, q; shareable as a link), a page at a time with the API's cursor
// and the count of every match; the states where the user has something to do, with their
// counts; the service's accent-insensitive search (q) over every dossier in scope; the
// longest-waiting first, in working days of the configured calendar, overdue ones marked as the
// configuration's stalled reminders would.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type Dossier, type Me, type Page } from '../api';
import { label, t } from '../i18n';
import { formatDate, formatNumber, provinceDate, lang } from '../format-lang';
import { actionableStates, LEVELS, STATES } from '../lifecycle';
import { config, isOverdue, unitName, workingDaysWaited } from '../config';
import { UnitPicker } from './unit-picker';
import { navigate, onLinkClick } from '../router';
import { ErrorBox } from '../errors';
import { NewIdea } from './new-idea';

const FILTERS = ['state', 'level', 'unit', 'product_set', 'year', 'round', 'q'] as const;
const PAGE = 50;

function withParams(query: URLSearchParams, changes: Record<string, string | null>): string {
  const q = new URLSearchParams(query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  return '/' + (s ? '?' + s : '');
}

export function Worklist({ me, query }: { me: Me; query: URLSearchParams }) {
  const [page, setPage] = useState<Page<Dossier> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [search, setSearch] = useState(query.get('q') ?? '');
  const [unitChoice, setUnitChoice] = useState(query.get('unit') ?? '');
  useEffect(() => setUnitChoice(query.get('unit') ?? ''), [query.get('unit')]);
  const cfg = config();
  const mine = useMemo(() => actionableStates(me.roles, cfg.roles), [me.roles.join(',')]);
  const apiQuery = useMemo(() => {
    const p = new URLSearchParams();
    for (const f of FILTERS) if (query.get(f)) p.set(f, query.get(f)!);
    if (query.get('cursor')) p.set('cursor', query.get('cursor')!);
    p.set('limit', String(PAGE));
    return p;
  }, [query.toString()]);

  useEffect(() => {
    let live = true;
    setError(null);
    api.dossiers(apiQuery).then(
      (r) => live && setPage(r.data),
      (e) => live && (setError(e), setPage(null)),
    );
    // The count of each state the user acts on, within the other filters.
    Promise.all(
      mine.map((s) => {
        const p = new URLSearchParams();
        for (const f of FILTERS) if (f !== 'state' && query.get(f)) p.set(f, query.get(f)!);
        p.set('state', s);
        p.set('limit', '1');
        return api.dossiers(p).then((r) => [s, r.data.count] as const, () => [s, -1] as const);
      }),
    ).then((pairs) => live && setCounts(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
  }, [apiQuery.toString()]);

  // The service's day (GET /api/v1/config: the province's date by the engine's clock), so that the
  // page counts as the engine does, whatever the browser's clock says.
  const today = cfg.today || provinceDate(new Date());
  const rows = useMemo(() => {
    if (!page) return [];
    return page.items
      .map((d) => ({ d, waited: workingDaysWaited(d.state_since, today, cfg.calendar) }))
      // What the user can act on first, then the longest waiting first.
      .sort((a, b) => {
        const ma = mine.includes(a.d.state as never) ? 0 : 1;
        const mb = mine.includes(b.d.state as never) ? 0 : 1;
        if (ma !== mb) return ma - mb;
        return a.d.state_since < b.d.state_since ? -1 : a.d.state_since > b.d.state_since ? 1 : a.d.id.localeCompare(b.d.id);
      });
  }, [page]);

  const applyFilters = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const changes: Record<string, string | null> = { cursor: null };
    for (const f of FILTERS) changes[f] = String(data.get(f) ?? '').trim() || null;
    changes.unit = unitChoice || null;
    changes.q = search.trim() || null;
    navigate(withParams(new URLSearchParams(), changes));
  };

  return (
    <section aria-labelledby="wl-title">
      <h1 id="wl-title">{t('worklist_title')}</h1>
      <p class="lead">{t('worklist_lead')}</p>

      {mine.length > 0 && (
        <nav class="chips" aria-label={t('my_states')}>
          <span class="chips-label">{t('my_states')}:</span>
          {mine.map((s) => (
            <a class="chip" href={withParams(query, { state: s, cursor: null })} onClick={onLinkClick}
              aria-current={query.get('state') === s ? 'true' : undefined} data-state={s}>
              {label('state', s)} <span class="chip-count">{counts[s] === undefined || counts[s] < 0 ? '…' : formatNumber(counts[s], lang())}</span>
            </a>
          ))}
        </nav>
      )}

      {me.roles.some((r) => r === 'producer' || r === 'coordinator') && <NewIdea me={me} />}

      <details class="filters">
        <summary>
          {t('filters')}
          {FILTERS.some((f) => f !== 'q' && query.get(f)) && (
            <span class="active-filters" data-testid="active-filters">
              {': '}
              {FILTERS.filter((f) => f !== 'q' && query.get(f)).map((f) => {
                const v = query.get(f)!;
                const shown = f === 'state' ? label('state', v) : f === 'level' ? label('level', v) : f === 'unit' ? unitName(v) : v;
                return `${t(('filter_' + f) as 'filter_state')} ${shown}`;
              }).join(' · ')}
            </span>
          )}
        </summary>
        <form onSubmit={applyFilters} class="form form-grid" key={query.toString()}>
          <label>
            <span>{t('filter_state')}</span>
            <select name="state" value={query.get('state') ?? ''}>
              <option value="">{t('filter_any')}</option>
              {STATES.map((s) => <option value={s}>{label('state', s)}</option>)}
            </select>
          </label>
          <label>
            <span>{t('filter_level')}</span>
            <select name="level" value={query.get('level') ?? ''}>
              <option value="">{t('filter_any')}</option>
              {LEVELS.map((l) => <option value={l}>{label('level', l)}</option>)}
            </select>
          </label>
          <UnitPicker units={cfg.units} root={me.unit} value={unitChoice} onChange={setUnitChoice} />
          <label>
            <span>{t('filter_product_set')}</span>
            <select name="product_set" value={query.get('product_set') ?? ''}>
              <option value="">{t('filter_any')}</option>
              {cfg.product_sets.map((p) => <option value={p.code}>{p.name}</option>)}
            </select>
          </label>
          <label>
            <span>{t('filter_year')}</span>
            <input name="year" type="number" min="2018" max="2100" value={query.get('year') ?? ''} />
          </label>
          <label>
            <span>{t('filter_round')}</span>
            <select name="round" value={query.get('round') ?? ''}>
              <option value="">{t('filter_any')}</option>
              {cfg.rounds.map((r) => (
                <option value={r.id}>{t('round_option', { id: r.id, level: label('level', r.level), cutoff: formatDate(r.cutoff) })}</option>
              ))}
            </select>
          </label>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">{t('filter_apply')}</button>
            <a class="btn" href="/" onClick={onLinkClick}>{t('filter_clear')}</a>
          </div>
        </form>
      </details>

      <form class="search" role="search" onSubmit={(e) => {
        e.preventDefault();
        navigate(withParams(query, { q: search.trim() || null, cursor: null }), true);
      }}>
        <label>
          <span>{t('filter_search')}</span>
          <input type="search" name="q" value={search} aria-describedby="search-hint"
            onInput={(e) => {
              const v = (e.currentTarget as HTMLInputElement).value;
              setSearch(v);
            }}
            onChange={(e) => navigate(withParams(query, { q: (e.currentTarget as HTMLInputElement).value.trim() || null, cursor: null }), true)} />
        </label>
        <small id="search-hint">{t('filter_search_hint')}</small>
      </form>

      <ErrorBox error={error} />
      {!page && !error && <p class="loading">{t('loading')}</p>}
      {page && (
        <>
          <p class="count" role="status" data-testid="count">
            {t('count_found', { count: formatNumber(page.count, lang()) })}
            {query.get('q') ? ' · ' + t('count_search', { q: query.get('q')! }) : ''}
          </p>
          {rows.length === 0 ? (
            <p class="empty">{t('empty_list')}</p>
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{t('col_id')}</th>
                  <th scope="col">{t('col_product')}</th>
                  <th scope="col">{t('col_producer')}</th>
                  <th scope="col">{t('col_unit')}</th>
                  <th scope="col">{t('col_state')}</th>
                  <th scope="col">{t('col_waited')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ d, waited }) => {
                  const overdue = isOverdue(d.state, waited, cfg.overdue_after_days);
                  return (
                    <tr class={overdue ? 'overdue' : ''} data-id={d.id}>
                      <td data-label={t('col_id')}><a href={'/ho-so/' + encodeURIComponent(d.id)} onClick={onLinkClick}>{d.id}</a></td>
                      <td data-label={t('col_product')}>{d.product}</td>
                      <td data-label={t('col_producer')}>{d.producer}</td>
                      <td data-label={t('col_unit')} data-unit={d.unit}>{unitName(d.unit)} <small class="unit-code">{d.unit}</small></td>
                      <td data-label={t('col_state')}>
                        <span class={'state state-' + d.state}>{label('state', d.state)}</span>
                        {d.level && <span class="level"> · {label('level', d.level)}</span>}
                      </td>
                      <td data-label={t('col_waited')}>
                        {t('waited_days', { days: formatNumber(waited, lang()) })}
                        <br /><small>{formatDate(d.state_since)}</small>
                        {overdue && <> <span class="badge badge-overdue">{t('overdue')}</span></>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          <div class="pager">
            {query.get('cursor') && <a class="btn" href={withParams(query, { cursor: null })} onClick={onLinkClick}>{t('page_first')}</a>}
            {page.next_cursor && (
              <a class="btn" href={withParams(query, { cursor: page.next_cursor })} onClick={onLinkClick} rel="next">{t('page_next')}</a>
            )}
          </div>
        </>
      )}
    </section>
  );
}
