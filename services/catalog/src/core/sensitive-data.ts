import { isIPv4, isIPv6 } from 'node:net';
import type { SensitiveDataClass } from '@serverless-patterns/shared/schemas/events';

/** At most this much text is scanned per object: classification is a sample, like Macie's. */
export const MAX_SCANNED_CHARACTERS = 1024 * 1024;

/**
 * Every quantifier is bounded and every pattern starts only where a token does (the lookbehinds), so
 * a scan is linear in the sample: a megabyte without a space cannot make a pattern backtrack for ever.
 */
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/;
/**
 * Phone numbers as people write them: international (`+44 20 7946 0958`, `+14155550123`) or with
 * the separators of a national number (`(415) 555-0123`, `415-555-0123`, `415.555.0123`). Bare digit
 * runs are not phones: ids, counters and timestamps would all match.
 */
const PHONE =
  /(?<![\w+])(?:\+[1-9]\d{0,2}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}|\(\d{3}\) ?\d{3}-\d{4}|\d{3}[-.]\d{3}[-.]\d{4})(?![\w])/g;
/** 13 to 19 digits, possibly in groups separated by single spaces or dashes. */
const CARD_CANDIDATE = /(?<![\d.-])\d(?:[ -]?\d){12,18}(?![\d])/g;
const IPV4_CANDIDATE = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g;
const IPV6_CANDIDATE = /(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:])/g;

/**
 * The kinds of personal data found in a sample of text (the first MAX_SCANNED_CHARACTERS): e-mail
 * addresses, phone numbers, payment card numbers (length, issuer prefix and Luhn checksum) and IP
 * addresses (v4 and v6, validated as Node parses them). What the sample does not contain is not seen.
 */
export function classifySample(sample: string): SensitiveDataClass[] {
  const text = sample.slice(0, MAX_SCANNED_CHARACTERS);
  const found: SensitiveDataClass[] = [];
  if (EMAIL.test(text)) found.push('email');
  if (someMatch(text, PHONE, isPhone)) found.push('phone');
  if (someMatch(text, CARD_CANDIDATE, isPaymentCard)) found.push('payment-card');
  if (someMatch(text, IPV4_CANDIDATE, isIPv4) || someMatch(text, IPV6_CANDIDATE, isIpv6Address))
    found.push('ip-address');
  return found;
}

function someMatch(text: string, pattern: RegExp, accept: (candidate: string) => boolean): boolean {
  for (const match of text.matchAll(pattern)) if (accept(match[0])) return true;
  return false;
}

/** Two groups at least: `std::vector` holds `d::`, which Node accepts as an address. */
function isIpv6Address(candidate: string): boolean {
  return candidate.split(':').filter((group) => group !== '').length >= 2 && isIPv6(candidate);
}

function isPhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '').length;
  return digits >= 7 && digits <= 15;
}

/** The issuer prefixes of the major card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay). */
const CARD_PREFIX =
  /^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|3(?:0[0-5]|[68])|6(?:011|5|4[4-9]|22)|35|62)/;

export function isPaymentCard(candidate: string): boolean {
  const digits = candidate.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !CARD_PREFIX.test(digits)) return false;
  return luhnValid(digits);
}

/** https://en.wikipedia.org/wiki/Luhn_algorithm: every second digit from the right doubled. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
