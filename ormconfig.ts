import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AppConfig } from './src/config/app-config';
import { validateEnv } from './src/config/validate-env';
import { dataSourceOptions } from './src/database/data-source';

/**
 * The data source for the TypeORM CLI (`npm run migration:run|revert|generate`): the same options
 * as the application, from the same environment (DATABASE_URL, or PGlite under DATA_DIR).
 */
const env = validateEnv(process.env);
export default new DataSource(dataSourceOptions(new AppConfig(env, env.APP_SECRET ?? 'cli').db));
