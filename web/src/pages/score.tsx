// A council member's scoresheet as they type: each part within its maximum, the total and the
// star band shown at once (score.ts); the engine checks again when it is sent.
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { formatNumber, lang } from '../format-lang';
import { preview, type PartProblem } from '../score';
import { bands, parts } from '../config';

const problemKey = { over_max: 'score_over_max', not_a_number: 'score_not_number', negative: 'score_negative' } as const;

export function ScoreInput({ onChange }: { onChange: (v: { A: number; B: number; C: number } | null) => void }) {
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const ps = parts();
  const bs = bands();
  const p = preview(inputs, ps, bs);
  return (
    <fieldset class="score">
      <legend>{t('ev_score')}</legend>
      {ps.map((part) => {
        const prob = p.problems[part.key] as PartProblem | undefined;
        const msg = prob && prob !== 'missing' ? t(problemKey[prob]) : '';
        return (
          <label>
            <span>{t('score_part', { part: part.key, max: part.max })}</span>
            <input name={'score-' + part.key} inputMode="decimal" value={inputs[part.key] ?? ''} aria-invalid={msg ? 'true' : undefined}
              aria-describedby={msg ? `score-${part.key}-err` : undefined}
              onInput={(e) => {
                const next = { ...inputs, [part.key]: (e.currentTarget as HTMLInputElement).value };
                setInputs(next);
                const q = preview(next, ps, bs);
                onChange(q.total === null ? null : { A: q.values.A!, B: q.values.B!, C: q.values.C! });
              }} />
            {msg && <small class="field-error" id={`score-${part.key}-err`}>{msg}</small>}
          </label>
        );
      })}
      <p class="score-preview" aria-live="polite" data-testid="score-preview">
        {p.total === null ? t('score_incomplete') : (
          <>
            {t('score_total')}: <strong>{formatNumber(p.total, lang())}</strong> · {t('score_band')}:{' '}
            <strong>{'★'.repeat(p.stars ?? 0)} {t('score_band_value', { stars: p.stars ?? 0 })}</strong>
          </>
        )}
      </p>
    </fieldset>
  );
}
