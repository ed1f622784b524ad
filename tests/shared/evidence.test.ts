/**
 * The evidence rules of shared/evidence.ts (issue 20): a photo folder's relative link is evidence
 * as good as an http(s) URL in 佐证链接 — without that, every row the form links to its photos would
 * carry an `invalid_url` warning at the next sync — while a link that climbs out of 佐证材料 is not.
 */
import { describe, expect, it } from 'vitest';
import { evidenceFolderLink, isSafeFolderName, isStoredPhotoName } from '../../shared/evidence';
import { validateActivityRow } from '../../shared/validate';
import { measure, partner } from '../support/model';

const partners = [partner({ partnerId: 'P1' })];
const measures = [measure({ measureId: 'M1', partners: ['P1'] })];

function urlIssues(evidence: string): string[] {
  const checked = validateActivityRow(
    { date: '2026-06-12', measureId: 'M1', title: '义诊', status: '已完成', evidence },
    { partners, measures, year: 2026, asOf: '2026-06-15' },
  );
  return checked.issues.filter((issue) => issue.field === 'evidence').map((issue) => issue.code);
}

describe('evidence links', () => {
  it('accepts a photo folder’s relative link and an http(s) URL, and warns on anything else', () => {
    expect(urlIssues(evidenceFolderLink('R0123456789'))).toEqual([]);
    expect(urlIssues('https://example.cn/p/1')).toEqual([]);
    expect(urlIssues('佐证材料/../../etc/')).toEqual(['invalid_url']);
    expect(urlIssues('C:\\照片')).toEqual(['invalid_url']);
  });

  it('names folders and stored photos safely', () => {
    expect(isSafeFolderName('A-12')).toBe(true);
    expect(isSafeFolderName('..')).toBe(false);
    expect(isSafeFolderName('a/b')).toBe(false);
    expect(isSafeFolderName('a\u0001')).toBe(false);
    expect(isStoredPhotoName('3.jpg')).toBe(true);
    expect(isStoredPhotoName('IMG_0001.JPG')).toBe(false);
    expect(isStoredPhotoName('0.jpg')).toBe(false);
  });
});
