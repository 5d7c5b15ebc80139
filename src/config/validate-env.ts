import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvSchema } from './env.schema';

/** Thrown when the environment is invalid; its message names variables, never secret values. */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

/** Validates the raw environment; empty strings count as unset. */
export function validateEnv(raw: Record<string, string | undefined>): EnvSchema {
  const known = Object.keys(new EnvSchema()).concat(['DATABASE_URL', 'REDIS_URL', 'APP_SECRET', 'SEED_DEMO']);
  const picked: Record<string, string> = {};
  for (const name of known) {
    const value = raw[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  const env = plainToInstance(EnvSchema, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: true });
  const problems = errors.map((e) => {
    // Constraint messages are ours or class-validator's and describe the rule, not the value.
    const rules = Object.values(e.constraints ?? {}).join('; ');
    return `${e.property}: ${rules}`;
  });
  if (env.NODE_ENV === 'production' && !env.APP_SECRET) {
    problems.push('APP_SECRET: required when NODE_ENV=production');
  }
  if (problems.length) throw new InvalidEnvironmentError(problems);
  return env;
}
