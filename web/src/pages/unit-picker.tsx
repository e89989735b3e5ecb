// The unit filter: the configured units the user sees, as a tree (province → communes, or the
// districts between), chosen with the keyboard as well as the mouse. Every node is a real button
// (Tab reaches it, Enter or Space chooses it); in the tree, ↑ and ↓ move between the visible
// units, → opens a branch and ← closes it (or goes to the parent), Home and End go to the first
// and last. Typing in the search box lists the units whose name or code matches, accents
// ignored, the units merged away too ("Thị trấn Việt Quang → Xã Bắc Quang").
import { useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../i18n';
import { fold, matches as folded } from '../fold';
import { unitName, unitTree, type ConfigUnit, type UnitNode } from '../config';

export function UnitPicker({ units, root, value, onChange }: { units: ConfigUnit[]; root: string; value: string; onChange: (code: string) => void }) {
  const tree = useMemo(() => unitTree(units, root), [units, root]);
  const [open, setOpen] = useState<Set<string>>(() => new Set(tree.map((n) => n.unit.code)));
  const [filter, setFilter] = useState('');
  const box = useRef<HTMLFieldSetElement>(null);

  const matches = useMemo(() => {
    if (!fold(filter)) return [];
    return units.filter((u) => u.in_scope && folded(filter, u.name, u.code)).slice(0, 50);
  }, [filter, units]);

  const toggle = (code: string, to?: boolean) => {
    const next = new Set(open);
    if (to ?? !next.has(code)) next.add(code);
    else next.delete(code);
    setOpen(next);
  };

  // Arrow keys between the visible "choose" buttons of the tree.
  const onKey = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (!target.classList.contains('unit-choose')) return;
    const all = Array.from(box.current?.querySelectorAll<HTMLButtonElement>('.unit-tree .unit-choose') ?? []);
    const i = all.indexOf(target as HTMLButtonElement);
    const code = target.dataset.code ?? '';
    const focus = (j: number) => all[Math.max(0, Math.min(all.length - 1, j))]?.focus();
    if (e.key === 'ArrowDown') focus(i + 1);
    else if (e.key === 'ArrowUp') focus(i - 1);
    else if (e.key === 'Home') focus(0);
    else if (e.key === 'End') focus(all.length - 1);
    else if (e.key === 'ArrowRight' && target.dataset.branch === 'true') toggle(code, true);
    else if (e.key === 'ArrowLeft') {
      if (target.dataset.branch === 'true' && open.has(code)) toggle(code, false);
      else box.current?.querySelector<HTMLButtonElement>(`.unit-choose[data-code="${target.dataset.parent ?? ''}"]`)?.focus();
    } else return;
    e.preventDefault();
  };

  const node = (n: UnitNode, parent: string, depth: number) => {
    const code = n.unit.code;
    const branch = n.children.length > 0;
    const expanded = open.has(code);
    const chosen = value === code;
    return (
      <li key={code}>
        <div class="unit-row" data-depth={depth}>
          {branch ? (
            <button type="button" class="unit-toggle" aria-expanded={expanded ? 'true' : 'false'}
              aria-controls={`unit-children-${code}`} onClick={() => toggle(code)}
              aria-label={t(expanded ? 'unit_collapse' : 'unit_expand', { name: n.unit.name })} tabIndex={-1}>
              {expanded ? '▾' : '▸'}
            </button>
          ) : <span class="unit-toggle-space" aria-hidden="true" />}
          <button type="button" class={chosen ? 'unit-choose chosen' : 'unit-choose'} aria-pressed={chosen ? 'true' : 'false'}
            data-code={code} data-parent={parent} data-branch={branch ? 'true' : 'false'} onClick={() => onChange(chosen ? '' : code)}>
            {n.unit.name} <small>{code}</small>
            {branch && <span class="sr-only"> ({t(expanded ? 'unit_open' : 'unit_closed', { n: n.children.length })})</span>}
          </button>
        </div>
        {branch && expanded && (
          <ul id={`unit-children-${code}`} class="unit-children">{n.children.map((c) => node(c, code, depth + 1))}</ul>
        )}
      </li>
    );
  };

  return (
    <fieldset class="unit-picker" ref={box} onKeyDown={onKey as unknown as (e: Event) => void}>
      <legend>{t('filter_unit')}</legend>
      <p class="unit-chosen" aria-live="polite" data-testid="unit-chosen">
        {value ? <>{unitName(value)} <small>{value}</small>{' '}
          <button type="button" class="btn btn-small" onClick={() => onChange('')}>{t('unit_clear')}</button></> : t('unit_all')}
      </p>
      <label>
        <span>{t('unit_find')}</span>
        <input type="search" value={filter} onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
          aria-describedby="unit-find-hint" />
      </label>
      <small id="unit-find-hint">{t('unit_find_hint')}</small>
      {filter.trim() ? (
        <ul class="unit-matches" data-testid="unit-matches">
          {matches.length === 0 && <li class="muted">{t('unit_none')}</li>}
          {matches.map((u) => (
            <li>
              <button type="button" class={value === u.code ? 'unit-choose chosen' : 'unit-choose'} aria-pressed={value === u.code ? 'true' : 'false'}
                data-code={u.code} onClick={() => { onChange(u.code); setFilter(''); }}>
                {u.name} <small>{u.code}</small>
                {u.unit_now && u.unit_now !== u.code && <> → {unitName(u.unit_now)}</>}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <ul class="unit-tree" data-testid="unit-tree" aria-label={t('unit_tree')}>{tree.map((n) => node(n, '', 0))}</ul>
      )}
    </fieldset>
  );
}
