import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'auth:public';

/** Opts a route or controller out of the global bearer guard. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
