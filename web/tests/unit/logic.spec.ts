// The front end's own logic, without a browser.
import { test, expect } from '@playwright/test';
import { fold, matches } from '../../src/fold';
import { formatDate, formatDateTime, formatNumber, provinceDate, workingDaysBetween } from '../../src/format';
import { councilSummary, parsePoints, preview, starsFor } from '../../src/score';
import { actionableStates, availableEvents } from '../../src/lifecycle';
import { funnel } from '../../src/pages/dashboard-model';
import { filterTrail, toCsv } from '../../src/pages/audit-model';
import type { AuditRecord } from '../../src/api';
import { vi } from '../../src/i18n/vi';
import { explain } from '../../src/errors';
import { en } from '../../src/i18n/en';

test.describe('search folding', () => {
  test('removes tones and vowel marks, maps đ, lower-cases', () => {
    expect(fold('Chè Shan tuyết')).toBe('che shan tuyet');
    expect(fold('ĐẶC SẢN  Đồng Văn')).toBe('dac san dong van');
    expect(fold('Mật ong bạc hà')).toBe('mat ong bac ha');
    expect(fold('Cam sành Hàm Yên')).toBe('cam sanh ham yen');
  });
  test('"che shan tuyet" finds "Chè Shan tuyết"', () => {
    expect(matches('che shan tuyet', 'Chè Shan tuyết Thượng Sơn')).toBe(true);
    expect(matches('CHÈ SHAN', 'Chè Shan tuyết Thượng Sơn')).toBe(true);
    expect(matches('shan thuong', 'Chè Shan tuyết Thượng Sơn')).toBe(true); // words in any order
    expect(matches('che shan tuyet', 'Mật ong Bắc Mê')).toBe(false);
  });
  test('any field matches; an empty query matches everything', () => {
    expect(matches('htx cao bo', 'Chè', 'HTX Chè Cao Bồ')).toBe(true);
    expect(matches('tq-2026-0004', 'Chè', null, 'TQ-2026-0004')).toBe(true);
    expect(matches('   ', 'anything')).toBe(true);
  });
});

test.describe('dates and numbers', () => {
  test('calendar dates are dd/mm/yyyy', () => {
    expect(formatDate('2026-03-05')).toBe('05/03/2026');
    expect(formatDate('')).toBe('');
    expect(formatDate('not a date')).toBe('');
  });
  test('instants are shown in Asia/Ho_Chi_Minh whatever their offset', () => {
    expect(formatDate('2026-03-05T10:00:00+07:00')).toBe('05/03/2026');
    expect(formatDateTime('2026-03-05T10:00:00+07:00')).toBe('05/03/2026 10:00');
    // 18:30 UTC on 4 March is 01:30 on 5 March in Hà Nội
    expect(formatDateTime('2026-03-04T18:30:00Z')).toBe('05/03/2026 01:30');
    expect(formatDate('2026-12-31T17:00:00Z')).toBe('01/01/2027');
    expect(provinceDate(new Date('2026-12-31T17:00:00Z'))).toBe('2027-01-01');
  });
  test('numbers in vi-VN: dot for thousands, comma for decimals', () => {
    expect(formatNumber(1234567)).toBe('1.234.567');
    expect(formatNumber(69.5)).toBe('69,5');
    expect(formatNumber(69.5, 'en')).toBe('69.5');
    expect(formatNumber(null)).toBe('');
  });
  test('working days skip weekends and do not count the first day', () => {
    expect(workingDaysBetween('2026-03-06', '2026-03-09')).toBe(1); // Friday → Monday
    expect(workingDaysBetween('2026-03-02T08:00:00+07:00', '2026-03-16')).toBe(10);
    expect(workingDaysBetween('2026-03-09', '2026-03-09')).toBe(0);
    expect(workingDaysBetween('2026-03-09', '2026-03-01')).toBe(0);
  });
});

test.describe('score band preview', () => {
  test('the bands of Decision 148', () => {
    expect(starsFor(0)).toBe(1);
    expect(starsFor(29.99)).toBe(1);
    expect(starsFor(30)).toBe(2);
    expect(starsFor(49.5)).toBe(2);
    expect(starsFor(50)).toBe(3);
    expect(starsFor(69.5)).toBe(3);
    expect(starsFor(70)).toBe(4);
    expect(starsFor(89)).toBe(4);
    expect(starsFor(90)).toBe(5);
    expect(starsFor(100)).toBe(5);
  });
  test('total and band as the member types', () => {
    expect(preview({ A: '32', B: '20' })).toMatchObject({ total: null, stars: null, problems: { C: 'missing' } });
    expect(preview({ A: '32', B: '20', C: '28' })).toMatchObject({ total: 80, stars: 4 });
    expect(preview({ A: '32,5', B: '20', C: '28' })).toMatchObject({ total: 80.5, stars: 4 });
    expect(preview({ A: '40', B: '25', C: '35' })).toMatchObject({ total: 100, stars: 5 });
  });
  test('each part within its maximum, a number, not negative', () => {
    expect(preview({ A: '41', B: '20', C: '28' })).toMatchObject({ total: null, problems: { A: 'over_max' } });
    expect(preview({ A: 'abc', B: '20', C: '28' }).problems.A).toBe('not_a_number');
    expect(preview({ A: '-1', B: '20', C: '28' }).problems.A).toBe('negative');
    expect(parsePoints('12,5')).toBe(12.5);
    expect(parsePoints('1e3')).toBeNull();
  });
});

test('the chair sees the sheets, the quorum, the average and its band', () => {
  expect(councilSummary([80, 72, 90, 85])).toEqual({ sheets: 4, quorum: 5, quorumMet: false, average: 81.75, stars: 4 });
  expect(councilSummary([69, 70, 69, 70, 69.5])).toMatchObject({ quorumMet: true, average: 69.5, stars: 3 });
  expect(councilSummary([])).toMatchObject({ sheets: 0, average: null, stars: null });
});

test.describe('actions by state and role', () => {
  test('a commune officer screens ideas and dossiers', () => {
    expect(availableEvents('idea_submitted', ['screener'])).toEqual(['accept_idea', 'return_idea', 'reject', 'annotate']);
    expect(availableEvents('submitted', ['screener'])).toEqual(['return_dossier', 'accept_dossier', 'annotate']);
    expect(actionableStates(['screener'])).toEqual(['idea_submitted', 'plan_submitted', 'submitted', 'under_review']);
    expect(availableEvents('scored', ['coordinator'])).toContain('forward');
    expect(availableEvents('scored', ['screener'])).toEqual(['annotate']);
  });
  test('a producer resubmits, a member scores, a signer recognises', () => {
    expect(availableEvents('returned', ['producer'])).toEqual(['resubmit', 'withdraw', 'annotate']);
    expect(availableEvents('under_review', ['council_member'])).toEqual(['score', 'annotate']);
    expect(availableEvents('scored', ['signer'])).toEqual(['recognize', 'not_recognize', 'annotate']);
    expect(availableEvents('recognized', ['auditor'])).toEqual([]);
  });
});

test.describe('dashboard', () => {
  test('the funnel counts dossiers that reached at least each stage', () => {
    const f = funnel({ idea_submitted: 2, plan_submitted: 1, in_development: 3, scored: 1, not_recognized: 1, recognized: 4 });
    expect(f.map((x) => x.n)).toEqual([12, 10, 9, 6, 4]);
  });
});

test('the English language file has every key of the Vietnamese one', () => {
  expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  for (const [k, v] of Object.entries(vi)) {
    const params = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join();
    expect(params((en as Record<string, string>)[k]), k).toBe(params(v));
  }
});

test.describe("the auditor's search", () => {
  const rec = (seq: number, at: string, actor: string, event: string, dossier: string, data: unknown = {}): AuditRecord =>
    ({ seq, at, actor, role: 'screener', dossier, event, from: 'submitted', to: 'returned', level: 'commune', data, prev_hash: '', hash: '' });
  const trail = [
    rec(1, '2026-03-01T23:30:00Z', 'officer.bacquang', 'return_dossier', 'TQ-2026-0001', { reason: 'Thiếu, "mẫu"' }),
    rec(2, '2026-03-02T08:00:00+07:00', 'coordinator.hg.lan', 'forward', 'TQ-2026-0002'),
    rec(3, '2026-03-05T08:00:00+07:00', 'officer.bacquang', 'accept_dossier', 'TQ-2026-0003'),
  ];
  test('filters by actor, event, dossier and the province’s dates', () => {
    expect(filterTrail(trail, { actor: 'bacquang' }).map((r) => r.seq)).toEqual([1, 3]);
    expect(filterTrail(trail, { actor: 'lan', event: 'forward' }).map((r) => r.seq)).toEqual([2]);
    expect(filterTrail(trail, { dossier: 'tq-2026-0003' }).map((r) => r.seq)).toEqual([3]);
    // 23:30 UTC on 1 March is 2 March in the province
    expect(filterTrail(trail, { from: '2026-03-02', to: '2026-03-02' }).map((r) => r.seq)).toEqual([1, 2]);
  });
  test('CSV quotes what needs quoting', () => {
    const csv = toCsv(trail.slice(0, 1));
    expect(csv.split('\r\n')[0]).toBe('seq,at,actor,role,dossier,event,from,to,level,data,prev_hash,hash');
    expect(csv).toContain('"{""reason"":""Thiếu, \\""mẫu\\""""}"');
  });
});

test("the engine's common refusals in Vietnamese", () => {
  expect(explain('forward refused for dossier X in state under_review: required documents missing for forward: commune_report, samples'))
    .toBe('Còn thiếu tài liệu bắt buộc: Báo cáo đánh giá, đề xuất của UBND xã, Biên bản giao nhận mẫu sản phẩm.');
  expect(explain('accept_dossier is not allowed for dossier X in state under_review; allowed there: score'))
    .toBe('Hồ sơ đang ở trạng thái “Đang xem xét”, nên không thực hiện được thao tác này.');
  expect(explain('something else')).toBeNull();
});
