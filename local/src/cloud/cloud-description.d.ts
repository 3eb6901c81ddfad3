import { z } from 'zod';
/**
 * `.local/cloud.json`: the one place that tells tests, benchmarks and people where everything is.
 * Written once the whole cloud is ready, removed when it stops.
 */
export declare const cloudDescriptionSchema: z.ZodObject<
  {
    stage: z.ZodString;
    region: z.ZodString;
    accountId: z.ZodString;
    pid: z.ZodNumber;
    portalUrl: z.ZodOptional<z.ZodString>;
    controlUrl: z.ZodString;
    endpoints: z.ZodRecord<z.ZodString, z.ZodString>;
    environment: z.ZodRecord<z.ZodString, z.ZodString>;
    credentials: z.ZodObject<
      {
        accessKeyId: z.ZodString;
        secretAccessKey: z.ZodString;
      },
      z.core.$strip
    >;
    services: z.ZodRecord<
      z.ZodString,
      z.ZodObject<
        {
          name: z.ZodString;
          apiUrl: z.ZodString;
          lambdaEndpoint: z.ZodString;
          functions: z.ZodRecord<z.ZodString, z.ZodString>;
          resources: z.ZodRecord<z.ZodString, z.ZodString>;
        },
        z.core.$strip
      >
    >;
    processes: z.ZodArray<
      z.ZodObject<
        {
          name: z.ZodString;
          pid: z.ZodNumber;
        },
        z.core.$strip
      >
    >;
    warnings: z.ZodArray<z.ZodString>;
  },
  z.core.$strip
>;
export type CloudDescription = z.infer<typeof cloudDescriptionSchema>;
export declare function writeCloudDescription(path: string, description: CloudDescription): Promise<void>;
export declare function readCloudDescription(path: string): Promise<CloudDescription>;
