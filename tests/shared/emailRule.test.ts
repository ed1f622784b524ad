/**
 * One rule for what an email address is (issue 9, item 11): validation accepts an address only when
 * the mail sender would deliver to exactly that address, and the sender refuses what validation
 * refuses, instead of letting nodemailer read it as some other address.
 */
import fc from 'fast-check';
import addressparser from 'nodemailer/lib/addressparser';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../functions/src/mail/types';
import { isEmail } from '../../shared/normalize';
import { validateWorkbook } from '../../shared/validate';

/** What nodemailer makes of an address string: the addresses it would send to. */
function sentTo(text: string): string[] {
  return addressparser(text, { flatten: true }).map((entry) => entry.address);
}

const HOSTILE = [
  'finance<postmaster>victim@example.com',
  '"finance"@example.com',
  'a(comment)@example.com',
  'Name <a@example.com>',
  'a@example.com,b@example.com',
  'a@b@example.com',
  'a..b@example.com',
  '.a@example.com',
  'a@-example.com',
  'a@example',
  `${'x'.repeat(65)}@example.com`,
];

describe('isEmail, shared by validation and the sender', () => {
  it.each(HOSTILE)('refuses %s', (text) => {
    expect(isEmail(text)).toBe(false);
  });

  it.each([
    'zhu@example.cn',
    "o'brien+digest=1@mail.example.org",
    'yz@第一中学.中国',
    'A_B-c@x1.example.com',
  ])('accepts %s, which nodemailer sends to unchanged', (text) => {
    expect(isEmail(text)).toBe(true);
    expect(sentTo(text)).toEqual([text]);
  });

  it('every address it accepts is the one address nodemailer sends to', () => {
    const piece = fc.constantFrom(...'aZ09.-_+@<>()",;:\'!#$%&*/=?^`{|}~ 中'.split(''));
    const candidates = fc.oneof(
      fc.emailAddress(),
      fc.array(piece, { minLength: 3, maxLength: 30 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(candidates, (text) => {
        if (isEmail(text)) expect(sentTo(text)).toEqual([text]);
      }),
      { numRuns: 3000 },
    );
  });

  it('validation reports the hostile address as invalid_email', () => {
    const result = validateWorkbook(
      {
        tabs: [
          {
            name: '共建单位',
            header: ['单位编号', '单位名称', '邮箱'],
            rows: [{ row: 2, cells: ['P01', '财务公司', 'finance<postmaster>victim@example.com'] }],
          },
        ],
      },
      { asOf: '2026-06-30' },
    );
    expect(result.issues.filter((issue) => issue.code === 'invalid_email').map((issue) => issue.row)).toEqual(
      [2],
    );
    expect(result.model.partners).toEqual([]);
  });

  it('the sender refuses a mail document addressed that way, saying why', () => {
    const parsed = parseMail({
      to: ['finance<postmaster>victim@example.com'],
      message: { subject: 's', text: 't' },
    });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain('to.0: not an email address');
    expect(parseMail({ to: 'zhu@example.cn', message: { subject: 's', text: 't' } }).ok).toBe(true);
  });
});
