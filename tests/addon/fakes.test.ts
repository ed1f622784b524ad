/**
 * The fake Apps Script services are held to the real services' behaviour where leniency hid bugs
 * in the add-on: each case here is a documented behaviour of Apps Script that a lenient fake
 * would not show.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FakeServices, withoutTimeZoneData, zonedMidnight } from './fakes';

type Globals = {
  SpreadsheetApp: { getActive(): unknown };
  PropertiesService: { getDocumentProperties(): unknown };
  UrlFetchApp: { fetch(url: string, params: object): unknown };
  ScriptApp: { getIdentityToken(): unknown };
  Session: { getActiveUser(): unknown };
};

function services(): FakeServices {
  return new FakeServices({ htmlDir: '.' });
}

describe('the fake spreadsheet', () => {
  it('Sheet.protect() on a protected sheet returns the existing protection', () => {
    const sheet = services().spreadsheet.addSheet('汇总');
    const first = sheet.protect().setDescription('仅管理员可改');
    expect(sheet.protect()).toBe(first);
    expect(sheet.protections).toHaveLength(1);
  });

  it('Range.setValues reads strings as typed, except in cells formatted as text', () => {
    const fake = services();
    const sheet = fake.spreadsheet.addSheet('活动');
    const year = new Date().getFullYear();
    sheet
      .getRange(1, 1, 1, 8)
      .setValues([['3.5', '1,200', '1/2', 'TRUE', '=安防培训', "'3.5", '50%', '入户走访']]);
    expect(sheet.row(1)).toEqual([
      3.5,
      1200,
      zonedMidnight(year, 1, 2, 'Asia/Shanghai'),
      true,
      '#NAME?',
      '3.5',
      0.5,
      '入户走访',
    ]);
    expect([...sheet.formulas.values()]).toEqual(['=安防培训']);

    sheet.getRange(2, 1, 1, 4).setNumberFormat('@');
    sheet.getRange(2, 1, 1, 4).setValues([['3.5', '1/2', 'TRUE', '=安防培训']]);
    expect(sheet.row(2).slice(0, 4)).toEqual(['3.5', '1/2', 'TRUE', '=安防培训']);
    expect(sheet.formulas.size).toBe(1);
  });

  it("'#ffffff' is an explicit white fill and only null removes a fill; both read as '#ffffff'", () => {
    const sheet = services().spreadsheet.addSheet('活动');
    const range = sheet.getRange(1, 1, 1, 2);
    range.setBackgrounds([['#ffffff', null]]);
    expect(range.getBackgrounds()).toEqual([['#ffffff', '#ffffff']]);
    expect(sheet.fillCount()).toBe(1);
    range.setBackgrounds([[null, null]]);
    expect(sheet.fillCount()).toBe(0);
  });
});

describe('AuthMode of simple triggers', () => {
  const calls = (g: Globals): Record<string, () => unknown> => ({
    document: () => g.SpreadsheetApp.getActive(),
    properties: () => g.PropertiesService.getDocumentProperties(),
    fetch: () => g.UrlFetchApp.fetch('https://api.example.cn/', { method: 'get' }),
    token: () => g.ScriptApp.getIdentityToken(),
    session: () => g.Session.getActiveUser(),
  });
  const allowed = (fake: FakeServices, mode: 'NONE' | 'LIMITED' | 'FULL') =>
    Object.entries(calls(fake.globals() as Globals))
      .filter(([, call]) =>
        fake.asTrigger(mode, () => {
          try {
            call();
            return true;
          } catch (error) {
            expect(String(error)).toMatch(/^Error: Exception: You do not have permission to call /);
            return false;
          }
        }),
      )
      .map(([name]) => name);

  it('NONE reaches no document, properties, session, token or network; LIMITED only the document', () => {
    const fake = services();
    fake.respond = () => ({ status: 200, body: {} });
    expect(allowed(fake, 'NONE')).toEqual([]);
    expect(allowed(fake, 'LIMITED')).toEqual(['document']);
    expect(allowed(fake, 'FULL')).toEqual(['document', 'properties', 'fetch', 'token', 'session']);
    expect(fake.authMode).toBe('FULL');
  });
});

describe('a context without Intl time-zone data', () => {
  it('refuses every zone but UTC, as a runtime without the data does', () => {
    const context = vm.createContext({});
    withoutTimeZoneData(context);
    const run = (code: string) => vm.runInContext(code, context);
    expect(() => run("new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai' })")).toThrow(
      'Invalid time zone specified: Asia/Shanghai',
    );
    expect(() => run("new Date(0).toLocaleString('en', { timeZone: 'Asia/Shanghai' })")).toThrow(
      'Invalid time zone specified',
    );
    expect(
      run("new Intl.DateTimeFormat('en', { timeZone: 'UTC', year: 'numeric' }).format(new Date(0))"),
    ).toBe('1970');
    expect(run("Intl.supportedValuesOf('timeZone').length")).toBe(0);
  });
});
