import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { profileOf } from '../core/profile';

export const handler = route(async (event) => json(200, profileOf(callerFrom(event))));
