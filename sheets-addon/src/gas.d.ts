/**
 * The few Apps Script services the add-on uses, declared by hand (no @types/google-apps-script):
 * only the members called, with the types Apps Script documents. The test fakes implement exactly
 * these, so a member used here without a fake fails the add-on tests.
 */

declare namespace GoogleAppsScript {
  /** `ScriptApp.AuthMode`: opaque, compared by identity. */
  interface AuthMode {
    readonly __authMode: unique symbol;
  }

  interface Range {
    /** Strings, numbers, booleans and Date objects; an empty cell is `''`. */
    getValues(): unknown[][];
    setValues(values: unknown[][]): Range;
    getNotes(): string[][];
    setNotes(notes: (string | null)[][]): Range;
    /** CSS colours; the default background reads as `#ffffff`. */
    getBackgrounds(): string[][];
    /** `null` resets a cell to the default background. */
    setBackgrounds(colors: (string | null)[][]): Range;
    setNumberFormat(format: string): Range;
    setDataValidation(rule: DataValidation | null): Range;
    setFontWeight(weight: 'bold' | 'normal' | null): Range;
    getRow(): number;
    getLastRow(): number;
    getColumn(): number;
    getNumRows(): number;
    getNumColumns(): number;
    getSheet(): Sheet;
    activate(): Range;
  }

  interface Sheet {
    getName(): string;
    getSheetId(): number;
    getRange(row: number, column: number, numRows?: number, numColumns?: number): Range;
    getRange(a1Notation: string): Range;
    getDataRange(): Range;
    getLastRow(): number;
    getLastColumn(): number;
    getMaxRows(): number;
    getMaxColumns(): number;
    insertColumnsAfter(afterPosition: number, howMany: number): Sheet;
    insertRowsAfter(afterPosition: number, howMany: number): Sheet;
    setFrozenRows(rows: number): void;
    getFrozenRows(): number;
    protect(): Protection;
    getProtections(type: ProtectionType): Protection[];
  }

  interface Spreadsheet {
    getId(): string;
    getUrl(): string;
    getSheets(): Sheet[];
    getSheetByName(name: string): Sheet | null;
    insertSheet(sheetName: string): Sheet;
    getSpreadsheetTimeZone(): string;
    toast(message: string, title?: string, timeoutSeconds?: number): void;
  }

  interface ProtectionType {
    readonly __protectionType: unique symbol;
  }

  interface Protection {
    setDescription(description: string): Protection;
    getDescription(): string;
    setWarningOnly(warningOnly: boolean): Protection;
  }

  interface DataValidation {
    readonly __dataValidation: unique symbol;
  }

  interface DataValidationBuilder {
    requireValueInList(values: string[], showDropdown?: boolean): DataValidationBuilder;
    requireValueInRange(range: Range, showDropdown?: boolean): DataValidationBuilder;
    setAllowInvalid(allowInvalidData: boolean): DataValidationBuilder;
    setHelpText(helpText: string): DataValidationBuilder;
    build(): DataValidation;
  }

  interface ButtonSet {
    readonly __buttonSet: unique symbol;
  }

  interface Menu {
    addItem(caption: string, functionName: string): Menu;
    addSeparator(): Menu;
    addToUi(): void;
  }

  interface Ui {
    createAddonMenu(): Menu;
    alert(title: string, prompt: string, buttons: ButtonSet): unknown;
    showSidebar(userInterface: HtmlOutput): void;
    showModalDialog(userInterface: HtmlOutput, title: string): void;
    readonly ButtonSet: { readonly OK: ButtonSet };
  }

  interface HtmlOutput {
    setTitle(title: string): HtmlOutput;
    setWidth(width: number): HtmlOutput;
    setHeight(height: number): HtmlOutput;
    getContent(): string;
  }

  /** A template's own properties become the variables its `<?= … ?>` scriptlets print (escaped). */
  interface HtmlTemplate {
    evaluate(): HtmlOutput;
    [variable: string]: unknown;
  }

  interface Properties {
    getProperty(key: string): string | null;
    setProperties(properties: Record<string, string>): Properties;
  }

  interface Lock {
    tryLock(timeoutInMillis: number): boolean;
    releaseLock(): void;
  }

  interface UrlFetchParams {
    method: 'get' | 'post';
    contentType?: string;
    payload?: string;
    headers?: Record<string, string>;
    muteHttpExceptions?: boolean;
    followRedirects?: boolean;
  }

  interface HttpResponse {
    getResponseCode(): number;
    getContentText(): string;
  }

  interface User {
    getEmail(): string;
  }

  /** The `e` of a simple onOpen / onInstall trigger. */
  interface OpenEvent {
    authMode?: AuthMode;
  }

  /** The `e` of a simple onEdit trigger: `range` is the whole edited (or pasted) block. */
  interface EditEvent {
    authMode?: AuthMode;
    range: Range;
    source?: Spreadsheet;
  }
}

declare const SpreadsheetApp: {
  getActive(): GoogleAppsScript.Spreadsheet;
  getUi(): GoogleAppsScript.Ui;
  newDataValidation(): GoogleAppsScript.DataValidationBuilder;
  readonly ProtectionType: { readonly SHEET: GoogleAppsScript.ProtectionType };
};

declare const HtmlService: {
  createTemplateFromFile(filename: string): GoogleAppsScript.HtmlTemplate;
};

declare const PropertiesService: {
  getDocumentProperties(): GoogleAppsScript.Properties | null;
};

declare const LockService: {
  getDocumentLock(): GoogleAppsScript.Lock | null;
};

declare const UrlFetchApp: {
  fetch(url: string, params: GoogleAppsScript.UrlFetchParams): GoogleAppsScript.HttpResponse;
};

declare const ScriptApp: {
  getIdentityToken(): string | null;
  readonly AuthMode: {
    readonly NONE: GoogleAppsScript.AuthMode;
    readonly LIMITED: GoogleAppsScript.AuthMode;
    readonly FULL: GoogleAppsScript.AuthMode;
  };
};

declare const Utilities: {
  formatDate(date: Date, timeZone: string, format: string): string;
  getUuid(): string;
};

declare const Session: {
  getActiveUser(): GoogleAppsScript.User;
};
