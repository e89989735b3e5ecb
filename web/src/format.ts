// Dates and numbers as people in Vietnam read them: dd/mm/yyyy, 24-hour times, the province's
// time zone (Asia/Ho_Chi_Minh, whatever the browser's), and vi-VN numbers (1.234,5).
// English keeps the same day-first dates (en-GB) so that a date reads the same in both languages.

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

export type Lang = 'vi' | 'en';
const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');

const pad = (n: number) => String(n).padStart(2, '0');

// A calendar date "YYYY-MM-DD" (no time zone: it is a date of the province) or an instant
// "YYYY-MM-DDTHH:MM:SS(Z|±HH:MM)" shown as its date in Asia/Ho_Chi_Minh. "" for empty or bad input.
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
  const parts = zoned(value);
  return parts ? `${parts.day}/${parts.month}/${parts.year}` : '';
}

// An instant as "dd/mm/yyyy HH:mm" in Asia/Ho_Chi_Minh.
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  const parts = zoned(value);
  return parts ? `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}` : formatDate(value);
}

function zoned(value: string) {
  const t = Date.parse(value);
  if (Number.isNaN(t)) return null;
  // Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving since 1975): a fixed offset is exact
  // and does not depend on the browser's time zone data.
  const d = new Date(t + 7 * 3600 * 1000);
  return {
    year: String(d.getUTCFullYear()),
    month: pad(d.getUTCMonth() + 1),
    day: pad(d.getUTCDate()),
    hour: pad(d.getUTCHours()),
    minute: pad(d.getUTCMinutes()),
  };
}

// The province's calendar date of an instant, "YYYY-MM-DD".
export function provinceDate(instant: Date): string {
  const d = new Date(instant.getTime() + 7 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function formatNumber(n: number | null | undefined, lang: Lang = 'vi', digits = 2): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '';
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(n);
}
