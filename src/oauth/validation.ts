import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidRequest } from './errors/oauth-errors';

function fieldNames(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const name = parent ? `${parent}.${e.property}` : e.property;
    return e.children?.length ? fieldNames(e.children, name) : [name];
  });
}

/**
 * The global validation pipe: unknown parameters are dropped (whitelist), and a failure becomes
 * `invalid_request` naming the fields only, never echoing values (docs/style.md §3).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => InvalidRequest(`invalid ${[...new Set(fieldNames(errors))].join(', ')}`),
  });
}
