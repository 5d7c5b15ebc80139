import { Transform } from 'class-transformer';

/** RFC 6749 §3.3 scope-token characters (users' scopes; clients' are the client policy's). */
export { SCOPE_TOKEN } from 'src/clients/policy/client-policy';

/** Query-string booleans: only the words true and false (anything else fails validation). */
export const ToBoolean = () =>
  Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  );

/** Query-string integers: decimal digits only (anything else fails validation). */
export const ToInt = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value,
  );

/** Drops duplicates while keeping the order given. */
export const Unique = () =>
  Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? [...new Set(value)] : value,
  );
