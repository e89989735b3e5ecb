// Accent-insensitive search for Vietnamese: "che shan tuyet" finds "Chè Shan tuyết".
// fold() removes the tone and vowel marks (Unicode NFD, then the combining marks), maps đ/Đ to d
// (đ is a letter of its own, not d with a mark, so NFD keeps it), lower-cases, and collapses
// white space. A query matches when every one of its words occurs in one of the fields.

export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

export function matches(query: string, ...fields: Array<string | null | undefined>): boolean {
  const words = fold(query).split(' ').filter(Boolean);
  if (words.length === 0) return true;
  const hay = fields.filter((f): f is string => !!f).map(fold).join(' \u0000 ');
  return words.every((w) => hay.includes(w));
}
