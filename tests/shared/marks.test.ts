/**
 * The write-back planner (shared/marks.ts) that the Sheets API adapter, the .xlsx adapter and the
 * add-on all apply: which cell an issue marks, the note and the fill (idWrites.test.ts: the ID cells).
 */
import { describe, expect, it } from 'vitest';
import { cellReference } from '../../shared/a1';
import { issueColumn, type TabKey } from '../../shared/columns';
import type { Issue } from '../../shared/issues';
import {
  fillOwner,
  hasIssueNote,
  headerTexts,
  ISSUE_FILL_RGB,
  ISSUE_NOTE_HEADING,
  ISSUE_NOTE_MARKER,
  isIssueFill,
  issueNote,
  type MarkIssue,
  type MarkTab,
  planCellMark,
  planMarks,
  staffNote,
  withIssueNote,
} from '../../shared/marks';
import { issueCellReference } from '../../shared/summary';
import type { ValidationResult } from '../../shared/validate';

function issue(
  row: number,
  column: string,
  severity: MarkIssue['severity'] = 'error',
  tab: TabKey = 'activities',
) {
  return { tab, row, column, severity, message: `${column} 有问题` };
}

describe('which cell an issue marks', () => {
  const header = ['活动名称', '日期', ' 服务时长（小时）', ''];

  it('finds the column as written, else by the same header key', () => {
    expect(issueColumn(header, '日期')).toBe(1);
    expect(issueColumn(header, ' 日期 ')).toBe(1);
    // Header texts are matched by headerKey: a unit in brackets and full-width forms do not matter.
    expect(issueColumn(['活动名称', '服务时长（小时）'], '服务时长')).toBe(1);
    expect(issueColumn(header, '备注')).toBe(-1);
    expect(issueColumn(header, '')).toBe(-1);
  });

  it('the 校验结果 tab links the cell the mark is on: one rule for both', () => {
    // A header with an empty column, and issue columns as written, padded, by key, blank and unknown.
    const written = ['活动名称', '日期', '', '服务时长（小时）'];
    const result = {
      sources: { activities: { name: '活动', header: written } },
    } as unknown as ValidationResult;
    for (const column of ['日期', ' 日期 ', '服务时长', '服务时长（小时）', '  ', '备注', '']) {
      const found = issue(5, column);
      const marked = planMarks([found], () => ({ header: written })).cells.get('activities');
      const markedColumn = [...(marked?.get(5)?.keys() ?? [])][0];
      const linked = issueCellReference(result, { ...found, code: 'required', field: 'x' } as Issue);
      expect(linked, column).toBe(markedColumn === undefined ? null : cellReference('活动', 5, markedColumn));
    }
  });

  it('groups issues per cell and keeps what names no cell apart', () => {
    const tabs: Partial<Record<TabKey, MarkTab>> = {
      activities: { header: ['活动名称', '日期'] },
      partners: { header: ['单位名称'], rowCount: 10, columnCount: 1 },
    };
    const first = issue(3, '日期');
    const second = issue(3, '日期', 'warning');
    const header = issue(1, '日期');
    const noColumn = issue(4, '');
    const unknownColumn = issue(4, '备注');
    const noTab = issue(2, '名称', 'error', 'plan');
    const pastGrid = issue(11, '单位名称', 'error', 'partners');
    const inGrid = issue(10, '单位名称', 'warning', 'partners');
    const fractional = issue(2.5, '日期');
    const plan = planMarks(
      [first, second, header, noColumn, unknownColumn, noTab, pastGrid, inGrid, fractional],
      (tab) => tabs[tab],
    );
    expect(plan.cells.get('activities')?.get(3)?.get(1)).toEqual([first, second]);
    expect(plan.cells.get('partners')?.get(10)?.get(0)).toEqual([inGrid]);
    expect(plan.unmarked).toEqual([header, noColumn, unknownColumn, noTab, pastGrid, fractional]);
  });

  it('asks for each tab once', () => {
    const asked: TabKey[] = [];
    planMarks([issue(2, '日期'), issue(3, '日期'), issue(2, '名称', 'error', 'plan')], (tab) => {
      asked.push(tab);
      return { header: ['日期'] };
    });
    expect(asked).toEqual(['activities', 'plan']);
  });
});

describe('headerTexts', () => {
  it('trims each header cell and drops empty ones at the end', () => {
    expect(headerTexts([' 活动名称 ', null, 2026, '', null])).toEqual(['活动名称', '', '2026']);
    expect(headerTexts([])).toEqual([]);
  });
});

describe('the note', () => {
  it('is one heading from every writer, then one line per issue', () => {
    expect(ISSUE_NOTE_HEADING.startsWith(ISSUE_NOTE_MARKER)).toBe(true);
    expect(issueNote([issue(2, '日期'), issue(2, '日期', 'warning')])).toBe(
      `${ISSUE_NOTE_HEADING}\n错误：日期 有问题\n警告：日期 有问题`,
    );
  });

  it("goes after staff's note and is removed without touching it", () => {
    const ours = issueNote([issue(2, '日期')]);
    const both = withIssueNote('王芳：请核对', ours);
    expect(both).toBe(`王芳：请核对\n\n${ours}`);
    expect(withIssueNote('', ours)).toBe(ours);
    expect(hasIssueNote(both)).toBe(true);
    expect(hasIssueNote('王芳：请核对')).toBe(false);
    expect(staffNote(both)).toBe('王芳：请核对');
    expect(staffNote(ours)).toBe('');
    expect(staffNote('只是备注 ')).toBe('只是备注');
    // A note from an older version (another heading) is still ours from the marker on.
    expect(staffNote(`备注\n\n${ISSUE_NOTE_MARKER}校验结果\n错误：旧的`)).toBe('备注');
  });
});

describe('the fill', () => {
  it('recognises our colours in every writer’s notation', () => {
    for (const rgb of Object.values(ISSUE_FILL_RGB)) {
      expect(isIssueFill(rgb)).toBe(true);
      expect(isIssueFill(`#${rgb.toLowerCase()}`)).toBe(true);
      expect(isIssueFill(`FF${rgb}`)).toBe(true);
    }
    expect(isIssueFill('#ffffff')).toBe(false);
    expect(isIssueFill('FFFFC7CE')).toBe(false);
    expect(isIssueFill(undefined)).toBe(false);
    expect(isIssueFill('')).toBe(false);
  });

  it('tells whose a fill is: none, ours, or staff’s', () => {
    expect(fillOwner(undefined)).toBe('none');
    expect(fillOwner(null)).toBe('none');
    expect(fillOwner(`FF${ISSUE_FILL_RGB.warning}`)).toBe('ours');
    expect(fillOwner('#00ff00')).toBe('staff');
    expect(fillOwner('theme')).toBe('staff');
  });
});

describe('planCellMark', () => {
  const error = issue(2, '日期', 'error');
  const warning = issue(2, '日期', 'warning');

  it('marks an unfilled cell with the colour of its worst issue', () => {
    expect(planCellMark({ note: '', fill: 'none' }, [warning])).toEqual({
      note: issueNote([warning]),
      fill: 'warning',
    });
    expect(planCellMark({ note: '', fill: 'ours' }, [warning, error]).fill).toBe('error');
  });

  it("keeps staff's colour and staff's note", () => {
    expect(planCellMark({ note: '提醒', fill: 'staff' }, [error])).toEqual({
      note: `提醒\n\n${issueNote([error])}`,
      fill: 'staff',
    });
  });

  it('replaces an earlier mark rather than adding a second one', () => {
    const old = withIssueNote('提醒', issueNote([warning]));
    expect(planCellMark({ note: old, fill: 'ours' }, [error]).note).toBe(
      withIssueNote('提醒', issueNote([error])),
    );
  });

  it('clears our marks from a cell without issues, and only ours', () => {
    const old = withIssueNote('提醒', issueNote([error]));
    expect(planCellMark({ note: old, fill: 'ours' })).toEqual({ note: '提醒', fill: 'none' });
    expect(planCellMark({ note: issueNote([error]), fill: 'staff' }, [])).toEqual({
      note: '',
      fill: 'staff',
    });
    expect(planCellMark({ note: '提醒', fill: 'none' })).toEqual({ note: '提醒', fill: 'none' });
  });

  it('is stable: planning the planned cell again changes nothing', () => {
    const once = planCellMark({ note: '提醒', fill: 'none' }, [error]);
    const twice = planCellMark({ note: once.note, fill: 'ours' }, [error]);
    expect(twice).toEqual(once);
  });
});
