// The front end's own logic, without a browser.
import { test, expect } from '@playwright/test';
import { fold, matches } from '../../src/fold';
import { formatDate, formatDateTime, formatNumber, provinceDate } from '../../src/format';
import { isOverdue, kindName, setConfig, unitTree, workingDaysWaited, type AppConfig, type Band, type Part } from '../../src/config';
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
});

test.describe('working days of the configured calendar', () => {
  const cal = { weekend: [6, 7], holidays: ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20'], working_days: ['2026-01-10'] };
  test('whole days waited: neither the day it entered nor today counts (the engine\'s rule)', () => {
    expect(workingDaysWaited('2026-03-05', '2026-03-09', cal)).toBe(1); // Thu → Mon: Friday
    expect(workingDaysWaited('2026-03-02T08:00:00+07:00', '2026-03-16', cal)).toBe(9);
    expect(workingDaysWaited('2026-03-09', '2026-03-09', cal)).toBe(0);
    expect(workingDaysWaited('2026-03-09', '2026-03-01', cal)).toBe(0);
  });
  test('holidays do not count; a make-up Saturday does', () => {
    // registered Thursday 12/02/2026, Tết 16-20/02: 9 on 05/03, 10 on 06/03 (ocop/calendar.hpp)
    expect(workingDaysWaited('2026-02-12', '2026-03-05', cal)).toBe(9);
    expect(workingDaysWaited('2026-02-12', '2026-03-06', cal)).toBe(10);
    expect(workingDaysWaited('2026-01-08', '2026-01-12', cal)).toBe(2); // Friday 09 and Saturday 10
    expect(workingDaysWaited('2026-02-12', '2026-03-05', { ...cal, holidays: [] })).toBe(14);
  });
  test('another weekend (Friday and Saturday)', () => {
    expect(workingDaysWaited('2026-03-05', '2026-03-09', { weekend: [5, 6], holidays: [], working_days: [] })).toBe(1); // Sunday
  });
  test('overdue when a stalled reminder names the state and its days have passed', () => {
    expect(isOverdue('submitted', 10, { submitted: 10 })).toBe(true);
    expect(isOverdue('submitted', 9, { submitted: 10 })).toBe(false);
    expect(isOverdue('under_review', 40, { submitted: 10 })).toBe(false);
  });
});

// The rule set of the sample (Decision 148) and another one, as GET /api/v1/config gives them.
const PARTS: Part[] = [{ key: 'A', max: 40 }, { key: 'B', max: 25 }, { key: 'C', max: 35 }];
const BANDS: Band[] = [{ stars: 1, min: 0 }, { stars: 2, min: 30 }, { stars: 3, min: 50 }, { stars: 4, min: 70 }, { stars: 5, min: 90 }];
const OTHER_PARTS: Part[] = [{ key: 'A', max: 50 }, { key: 'B', max: 20 }, { key: 'C', max: 30 }];
const OTHER_BANDS: Band[] = [{ stars: 3, min: 0 }, { stars: 4, min: 60 }, { stars: 5, min: 85 }];

test.describe('score band preview', () => {
  test('the bands of Decision 148', () => {
    expect(starsFor(0, BANDS)).toBe(1);
    expect(starsFor(29.99, BANDS)).toBe(1);
    expect(starsFor(30, BANDS)).toBe(2);
    expect(starsFor(49.5, BANDS)).toBe(2);
    expect(starsFor(50, BANDS)).toBe(3);
    expect(starsFor(69.5, BANDS)).toBe(3);
    expect(starsFor(70, BANDS)).toBe(4);
    expect(starsFor(89, BANDS)).toBe(4);
    expect(starsFor(90, BANDS)).toBe(5);
    expect(starsFor(100, BANDS)).toBe(5);
  });
  test('another rule set\'s maxima and bands', () => {
    expect(starsFor(59, OTHER_BANDS)).toBe(3);
    expect(starsFor(85, OTHER_BANDS)).toBe(5);
    expect(preview({ A: '45', B: '20', C: '28' }, OTHER_PARTS, OTHER_BANDS)).toMatchObject({ total: 93, stars: 5 });
    expect(preview({ A: '45', B: '20', C: '28' }, PARTS, BANDS)).toMatchObject({ total: null, problems: { A: 'over_max' } });
    expect(preview({ A: '30', B: '21', C: '28' }, OTHER_PARTS, OTHER_BANDS).problems.B).toBe('over_max');
  });
  test('total and band as the member types', () => {
    expect(preview({ A: '32', B: '20' }, PARTS, BANDS)).toMatchObject({ total: null, stars: null, problems: { C: 'missing' } });
    expect(preview({ A: '32', B: '20', C: '28' }, PARTS, BANDS)).toMatchObject({ total: 80, stars: 4 });
    expect(preview({ A: '32,5', B: '20', C: '28' }, PARTS, BANDS)).toMatchObject({ total: 80.5, stars: 4 });
    expect(preview({ A: '40', B: '25', C: '35' }, PARTS, BANDS)).toMatchObject({ total: 100, stars: 5 });
  });
  test('each part within its maximum, a number, not negative', () => {
    expect(preview({ A: '41', B: '20', C: '28' }, PARTS, BANDS)).toMatchObject({ total: null, problems: { A: 'over_max' } });
    expect(preview({ A: 'abc', B: '20', C: '28' }, PARTS, BANDS).problems.A).toBe('not_a_number');
    expect(preview({ A: '-1', B: '20', C: '28' }, PARTS, BANDS).problems.A).toBe('negative');
    expect(parsePoints('12,5')).toBe(12.5);
    expect(parsePoints('1e3')).toBeNull();
  });
});

test('the chair sees the sheets, the quorum, the average and its band', () => {
  expect(councilSummary([80, 72, 90, 85], 5, BANDS)).toEqual({ sheets: 4, quorum: 5, quorumMet: false, average: 81.75, stars: 4 });
  expect(councilSummary([69, 70, 69, 70, 69.5], 5, BANDS)).toMatchObject({ quorumMet: true, average: 69.5, stars: 3 });
  expect(councilSummary([], 5, BANDS)).toMatchObject({ sheets: 0, average: null, stars: null });
});

test('another quorum', () => {
  expect(councilSummary([80, 72, 90], 3, OTHER_BANDS)).toMatchObject({ sheets: 3, quorum: 3, quorumMet: true, stars: 4 });
});

// The sample's roles (config/sample.yaml), dossier events only, as GET /api/v1/config lists them.
const ROLES: Record<string, string[]> = {
  producer: ['submit_idea', 'resubmit_idea', 'submit_plan', 'resubmit_plan', 'register', 'resubmit', 'withdraw', 'attach', 'annotate'],
  screener: ['accept_idea', 'return_idea', 'approve_plan', 'return_plan', 'reject', 'return_dossier', 'accept_dossier', 'assess', 'forward', 'annotate'],
  coordinator: ['register', 'accept_dossier', 'return_dossier', 'forward', 'withdraw', 'annotate'],
  council_member: ['score', 'annotate'],
  council_chair: ['close_scoring', 'not_recognize', 'annotate'],
  signer: ['recognize', 'not_recognize', 'annotate'],
  auditor: [],
};

test.describe('actions by state and role', () => {
  test('the configuration decides: a role without an event is offered none', () => {
    expect(availableEvents('idea_submitted', ['screener'], { screener: ['return_idea'] })).toEqual(['return_idea']);
    expect(availableEvents('idea_submitted', ['screener'], {})).toEqual([]);
  });
  test('a commune officer screens ideas and dossiers', () => {
    expect(availableEvents('idea_submitted', ['screener'], ROLES)).toEqual(['accept_idea', 'return_idea', 'reject', 'annotate']);
    expect(availableEvents('submitted', ['screener'], ROLES)).toEqual(['return_dossier', 'accept_dossier', 'annotate']);
    expect(actionableStates(['screener'], ROLES)).toEqual(['idea_submitted', 'plan_submitted', 'submitted', 'under_review']);
    expect(availableEvents('scored', ['coordinator'], ROLES)).toContain('forward');
    expect(availableEvents('scored', ['screener'], ROLES)).toEqual(['annotate']);
  });
  test('a producer resubmits, a member scores, a signer recognises', () => {
    expect(availableEvents('returned', ['producer'], ROLES)).toEqual(['resubmit', 'withdraw', 'annotate']);
    expect(availableEvents('under_review', ['council_member'], ROLES)).toEqual(['score', 'annotate']);
    expect(availableEvents('scored', ['signer'], ROLES)).toEqual(['recognize', 'not_recognize', 'annotate']);
    expect(availableEvents('recognized', ['auditor'], ROLES)).toEqual([]);
  });
});

test.describe('dashboard', () => {
  test("the funnel's rows are the report's, in the cycle's order, zero where a scope has none", () => {
    const f = funnel({ idea: 12, plan: 10, development: 9, evaluation: 6, recognition: 4 });
    expect(f.map((x) => x.key)).toEqual(['funnel_ideas', 'funnel_plans', 'funnel_development', 'funnel_evaluated', 'funnel_recognized']);
    expect(f.map((x) => x.n)).toEqual([12, 10, 9, 6, 4]);
    expect(funnel(undefined).map((x) => x.n)).toEqual([0, 0, 0, 0, 0]);
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

test.describe('the published configuration', () => {
  const u = (code: string, name: string, parent: string | null, extra: Partial<AppConfig['units'][0]> = {}) =>
    ({ code, name, level: 'commune', parent, valid_from: null, valid_to: null, successor: null, unit_now: code, in_scope: true, ...extra });
  test('the unit tree: current units in scope, by parent, by name; merged ones are not nodes', () => {
    const tree = unitTree([
      u('TQ', 'Tuyên Quang', null, { level: 'province' }),
      u('TQ-B', 'Xã Bắc Quang', 'TQ'),
      u('TQ-A', 'Xã An Tường', 'TQ'),
      u('HG-V', 'Thị trấn Việt Quang', 'HG', { valid_to: '2025-06-30', successor: 'TQ-B', unit_now: 'TQ-B' }),
      u('TQ-H', 'Xã Hùng An', 'TQ', { in_scope: false }),
    ]);
    expect(tree.map((n) => n.unit.code)).toEqual(['TQ']);
    expect(tree[0].children.map((n) => n.unit.code)).toEqual(['TQ-A', 'TQ-B']);
    // from the reader's own unit when it is in the tree
    expect(unitTree([u('VN', 'Trung ương', null, { level: 'central' }), u('TQ', 'Tuyên Quang', 'VN'), u('TQ-B', 'Xã Bắc Quang', 'TQ')], 'TQ')
      .map((n) => n.unit.code)).toEqual(['TQ']);
    // a commune officer's scope: the commune alone is the root
    expect(unitTree([u('TQ', 'Tuyên Quang', null, { in_scope: false }), u('TQ-B', 'Xã Bắc Quang', 'TQ')]).map((n) => n.unit.code)).toEqual(['TQ-B']);
  });
  test("a document kind's name is the configuration's", () => {
    setConfig(null);
    expect(kindName('label')).toBe('Nhãn, bao bì sản phẩm');
    setConfig({ document_kinds: [{ kind: 'label', name: 'Nhãn hàng hóa (tỉnh khác)' }, { kind: 'video', name: 'Video giới thiệu' }], units: [] } as unknown as AppConfig);
    expect(kindName('label')).toBe('Nhãn hàng hóa (tỉnh khác)');
    expect(kindName('video')).toBe('Video giới thiệu');
    setConfig(null);
  });
});
