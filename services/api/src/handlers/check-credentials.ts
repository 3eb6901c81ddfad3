import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { signedCallerFrom } from '../core/signed-caller';

// Behind IAM authorization: API Gateway ran this only after the signature and the role's policy
// checked out, and says who called in requestContext.identity.
export const handler = route(async (event) => json(200, signedCallerFrom(event.requestContext.identity)));
