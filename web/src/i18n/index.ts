// The language in force: Vietnamese unless the person chose English (kept in localStorage).
import { vi, type Key } from './vi';
import { en } from './en';
import type { Lang } from '../format';

const dictionaries: Record<Lang, Record<Key, string>> = { vi, en };
const STORAGE_KEY = 'ocop.lang';

let current: Lang = 'vi';
try {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'vi') current = saved;
} catch {
  /* storage disabled: Vietnamese */
}

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang) {
  current = l;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, l);
  } catch {
    /* not kept */
  }
  if (globalThis.document) document.documentElement.lang = l;
}

export function t(key: Key, params: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

// A label for a name of the engine (state, level, role, event) when the dictionary has one,
// else the name itself.
export function label(prefix: 'state' | 'level' | 'role' | 'ev' | 'reg' | 'crit' | 'kind', name: string | null | undefined): string {
  if (!name) return '';
  const key = `${prefix}_${name}` as Key;
  return key in vi ? t(key) : name;
}

export type { Key };
