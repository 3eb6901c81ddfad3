/** The service's one function: serverless-offline serves a service by its functions. */
export const handler = async (): Promise<void> => undefined;
