// A producer (or a coordinator for one) registers a product idea: submit_idea creates the
// dossier (spec §2: product, product_set, producer, unit), then the page opens it.
import { useState } from 'preact/hooks';
import { api, newKey, type Me } from '../api';
import { t } from '../i18n';
import { config, unitName } from '../config';
import { navigate } from '../router';
import { ErrorBox } from '../errors';

export function NewIdea({ me }: { me: Me }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [key] = useState(newKey);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const data = Object.fromEntries(['product', 'product_set', 'producer', 'unit'].map((k) => [k, String(f.get(k) ?? '').trim()]));
    setBusy(true);
    setError(null);
    try {
      const r = await api.create('submit_idea', data, key);
      navigate('/ho-so/' + encodeURIComponent(r.data.id));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="filters new-idea">
      <summary>{t('idea_new')}</summary>
      <ErrorBox error={error} />
      <form class="form" onSubmit={submit} data-form="submit_idea">
        <label><span>{t('fact_product')}</span><input name="product" required /></label>
        <label>
          <span>{t('fact_product_set')}</span>
          <select name="product_set" required>
            <option value=""></option>
            {config().product_sets.map((p) => <option value={p.code}>{p.name} ({p.code})</option>)}
          </select>
        </label>
        <label><span>{t('fact_producer')}</span><input name="producer" required /></label>
        <label>
          <span>{t('fact_unit')}</span>
          <select name="unit" required defaultValue={me.unit}>
            {config().units.filter((u) => u.in_scope && u.unit_now === u.code).map((u) => (
              <option value={u.code}>{unitName(u.code)} ({u.code})</option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>{t('ev_submit_idea')}</button>
      </form>
    </details>
  );
}
