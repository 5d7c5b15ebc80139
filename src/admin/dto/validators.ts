import { Transform } from 'class-transformer';
import { ValidateBy, ValidationOptions } from 'class-validator';
import { redirectUriProblem } from 'src/oauth/redirect-uri-policy';

/** RFC 6749 §3.3 scope-token characters. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/**
 * A redirect URI an administrator may register: https, http on a loopback host, or a private-use
 * scheme (the server-wide policy, docs/mcp.md §1 item 23); never javascript:, data:, file:, a fragment
 * or credentials.
 */
export function IsRedirectUri(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRedirectUri',
      validator: {
        validate: (value: unknown) => redirectUriProblem(value) === null,
        defaultMessage: () => 'invalid redirect uri',
      },
    },
    options,
  );
}

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
