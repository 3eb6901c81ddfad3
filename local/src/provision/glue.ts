import { AlreadyExistsException, CreateDatabaseCommand } from '@aws-sdk/client-glue';
import { resolveProperties } from '../templates/stack';
import type { Provisioner } from './provisioners';

/**
 * Glue Data Catalog databases, on moto's Glue. Their Ref is the database's name (DatabaseInput.Name),
 * as in AWS. Tables and partitions are not in the templates: the catalog service writes them as
 * objects arrive. moto keeps them in memory, so after a restart they come back only as objects do.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-glue-database.html
 */
export const provisionGlueDatabases: Provisioner = async (logicalIds, context) => {
  const { stack, clients } = context;
  for (const logicalId of logicalIds) {
    const input = resolveProperties(stack, logicalId).DatabaseInput as {
      Name?: unknown;
      Description?: string;
      LocationUri?: string;
    };
    const name = String(input.Name);
    await clients.glue
      .send(
        new CreateDatabaseCommand({
          DatabaseInput: { Name: name, Description: input.Description, LocationUri: input.LocationUri },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof AlreadyExistsException)) throw error;
      });
    stack.context.refs.set(logicalId, name);
  }
};
