import { json, parseQueryParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { catalogSearchParametersSchema } from '@serverless-patterns/shared/schemas/api';
import { catalogSearch } from '../composition';

const catalog = catalogSearch();

export const handler = route(async (event) =>
  json(200, await catalog.search(parseQueryParameters(event, catalogSearchParametersSchema))),
);
