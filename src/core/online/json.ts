/**
 * Reading untrusted JSON answers: parse without throwing, and typed accessors that answer
 * `undefined` for anything of the wrong shape, so a mapper never crashes on a field a service
 * renamed, nulled or filled with something unexpected.
 */
import type { CslDate } from '../types';
import type { MapError } from './types';

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

/** The parsed body, or a `not-json` error quoting its start. */
export function parseJson(text: string, service: string): { ok: true; value: unknown } | { ok: false; error: MapError } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    const said = text.trimStart().slice(0, 80);
    return { ok: false, error: { code: 'not-json', message: `${service} did not answer with JSON${said ? `: "${said}"` : ''}` } };
  }
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property of a JSON object (never one inherited from Object.prototype). */
export function field(object: JsonObject, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

/** A non-empty trimmed string property (a number is written out); the first element of an array. */
export function stringField(object: JsonObject, name: string): string | undefined {
  return asString(field(object, name));
}

export function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value) && value.length) return asString(value[0]);
  return undefined;
}

/** An object property, or undefined. */
export function objectField(object: JsonObject, name: string): JsonObject | undefined {
  const value = field(object, name);
  return isObject(value) ? value : undefined;
}

/** An array property, or an empty array. */
export function arrayField(object: JsonObject, name: string): unknown[] {
  const value = field(object, name);
  return Array.isArray(value) ? value : [];
}

/** A finite non-negative whole number property. */
export function countField(object: JsonObject, name: string): number | undefined {
  const value = field(object, name);
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** A plausible publication year (services send 0, null or far-future placeholders). */
function plausibleYear(year: unknown): year is number {
  return typeof year === 'number' && Number.isInteger(year) && year >= 1000 && year <= 2200;
}

/** `2017-06-12`, `2017-06` or `2017` as a CSL date; undefined for anything else. */
export function dateFromIso(text: string | undefined): CslDate | undefined {
  const match = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(text ?? '');
  if (!match) return undefined;
  const parts = [Number(match[1])];
  if (!plausibleYear(parts[0])) return undefined;
  const month = Number(match[2]);
  if (month >= 1 && month <= 12) {
    parts.push(month);
    const day = Number(match[3]);
    if (day >= 1 && day <= 31) parts.push(day);
  }
  return { 'date-parts': [parts] };
}

/** A year alone as a CSL date. */
export function dateFromYear(year: unknown): CslDate | undefined {
  return plausibleYear(year) ? { 'date-parts': [[year]] } : undefined;
}

/** Crossref's `{ "date-parts": [[2019, 6, 2]] }`, checked part by part. */
export function dateFromParts(value: unknown): CslDate | undefined {
  if (!isObject(value)) return undefined;
  const parts = field(value, 'date-parts');
  const first: unknown = Array.isArray(parts) ? parts[0] : undefined;
  if (!Array.isArray(first) || !plausibleYear(first[0])) return undefined;
  const out = [first[0]];
  const month: unknown = first[1];
  if (typeof month === 'number' && Number.isInteger(month) && month >= 1 && month <= 12) {
    out.push(month);
    const day: unknown = first[2];
    if (typeof day === 'number' && Number.isInteger(day) && day >= 1 && day <= 31) out.push(day);
  }
  return { 'date-parts': [out] };
}
