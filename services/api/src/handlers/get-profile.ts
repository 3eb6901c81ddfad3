import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { profileOf } from '../core/profile';
import { route } from '../route';

export const handler = route(async (event) => json(200, profileOf(callerFrom(event))));
