// format.ts's functions, with the page's language.
export { formatDate, formatDateTime, formatNumber, provinceDate, workingDaysBetween } from './format';
export { lang } from './i18n';
