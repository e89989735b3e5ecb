// format.ts's functions, with the page's language.
export { formatDate, formatDateTime, formatNumber, provinceDate } from './format';
export { lang } from './i18n';
