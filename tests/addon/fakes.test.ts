/**
 * The fake Apps Script services are held to the real services' behaviour where leniency hid bugs
 * in the add-on: each case here is a documented behaviour of Apps Script that a lenient fake
 * would not show.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  FakeServices,
  METADATA_LOCATION_TYPE,
  METADATA_VISIBILITY,
  withoutTimeZoneData,
  zonedMidnight,
} from './fakes';

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

describe('developer metadata', () => {
  it('takes visibility as an enum, not a string, and defaults to DOCUMENT on the spreadsheet', () => {
    const { spreadsheet } = services();
    spreadsheet.addDeveloperMetadata('k', 'v', METADATA_VISIBILITY.PROJECT);
    spreadsheet.addDeveloperMetadata('k', 'w');
    spreadsheet.addDeveloperMetadata('k', METADATA_VISIBILITY.DOCUMENT);
    expect(spreadsheet.developerMetadata.map((m) => [m.value, m.visibility.name, m.sheetId])).toEqual([
      ['v', 'PROJECT', undefined],
      ['w', 'DOCUMENT', undefined],
      [null, 'DOCUMENT', undefined],
    ]);
    expect(() => spreadsheet.addDeveloperMetadata('k', 'v', 'DOCUMENT')).toThrow(
      "don't match the method signature",
    );
    expect(() => spreadsheet.createDeveloperMetadataFinder().withVisibility('DOCUMENT')).toThrow(
      "don't match the method signature",
    );
  });

  it("a spreadsheet's finder searches every location and hides other projects' PROJECT entries", () => {
    const { spreadsheet } = services();
    spreadsheet.seedMetadata('k', 'document', 'DOCUMENT');
    spreadsheet.seedMetadata('k', 'on a tab', 'DOCUMENT', { sheetId: 0 });
    spreadsheet.seedMetadata('k', 'ours', 'PROJECT');
    spreadsheet.seedMetadata('k', 'theirs', 'PROJECT', { project: 'another-project' });
    const values = (found: { getValue(): string | null }[]) => found.map((m) => m.getValue());
    const finder = () => spreadsheet.createDeveloperMetadataFinder().withKey('k');
    expect(values(finder().find())).toEqual(['document', 'on a tab', 'ours']);
    expect(values(finder().withLocationType(METADATA_LOCATION_TYPE.SPREADSHEET).find())).toEqual([
      'document',
      'ours',
    ]);
    const [first] = finder().withValue('document').find();
    first?.remove();
    expect(values(finder().find())).toEqual(['on a tab', 'ours']);
    expect(() => first?.remove()).toThrow('no longer exists');
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
