import { activeResources, type Stack, tryResolve } from '../templates/stack';

/**
 * The response headers CloudFront adds to every file of the portal in AWS, from the packaged
 * template's AWS::CloudFront::ResponseHeadersPolicy, for the front door to send as well: HSTS, nosniff,
 * frame and referrer policies, custom headers, and the Content-Security-Policy with its AWS origins
 * made local. Locally every origin the portal talks to is the front door itself ('self': the API,
 * Cognito, Cognito Identity), except S3, whose presigned URLs name the local S3 endpoint.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html
 */
export function portalResponseHeadersFrom(stack: Stack, local: { s3Origin: string }): Record<string, string> {
  const policy = activeResources(stack).find(
    ([, resource]) => resource.Type === 'AWS::CloudFront::ResponseHeadersPolicy',
  );
  if (policy === undefined) return {};
  const config = (tryResolve(stack, policy[1].Properties?.ResponseHeadersPolicyConfig) ?? {}) as PolicyConfig;
  const security = config.SecurityHeadersConfig ?? {};
  const headers: Record<string, string> = {};
  const csp = security.ContentSecurityPolicy?.ContentSecurityPolicy;
  if (typeof csp === 'string')
    headers['content-security-policy'] = localContentSecurityPolicy(csp, local.s3Origin);
  const hsts = security.StrictTransportSecurity;
  if (hsts !== undefined) {
    headers['strict-transport-security'] = [
      `max-age=${hsts.AccessControlMaxAgeSec}`,
      ...(hsts.IncludeSubdomains ? ['includeSubDomains'] : []),
      ...(hsts.Preload ? ['preload'] : []),
    ].join('; ');
  }
  if (security.ContentTypeOptions !== undefined) headers['x-content-type-options'] = 'nosniff';
  if (security.FrameOptions?.FrameOption !== undefined)
    headers['x-frame-options'] = security.FrameOptions.FrameOption;
  if (security.ReferrerPolicy?.ReferrerPolicy !== undefined) {
    headers['referrer-policy'] = security.ReferrerPolicy.ReferrerPolicy;
  }
  for (const item of config.CustomHeadersConfig?.Items ?? []) headers[item.Header.toLowerCase()] = item.Value;
  return headers;
}

/**
 * The policy with each AWS origin replaced by where the local cloud serves it: an S3 bucket's by the
 * local S3 endpoint, every other one (the API, Cognito) by nothing, since the front door serves them
 * on the portal's own origin, which 'self' already allows. Other origins stay as they are.
 */
export function localContentSecurityPolicy(policy: string, s3Origin: string): string {
  return policy
    .split(';')
    .map((directive) => {
      const [name, ...sources] = directive.trim().split(/\s+/);
      const local = sources.flatMap((source) => {
        const host = source.startsWith('https://') ? new URL(source).hostname : '';
        if (!/\.amazonaws\.com(\.cn)?$/.test(host)) return [source];
        return /(^|\.)s3[.-]([a-z0-9-]+\.)?amazonaws\.com(\.cn)?$/.test(host) ? [s3Origin] : [];
      });
      return [name, ...new Set(local)].join(' ');
    })
    .join('; ');
}

interface PolicyConfig {
  SecurityHeadersConfig?: {
    ContentSecurityPolicy?: { ContentSecurityPolicy?: unknown };
    StrictTransportSecurity?: {
      AccessControlMaxAgeSec: number;
      IncludeSubdomains?: boolean;
      Preload?: boolean;
    };
    ContentTypeOptions?: unknown;
    FrameOptions?: { FrameOption?: string };
    ReferrerPolicy?: { ReferrerPolicy?: string };
  };
  CustomHeadersConfig?: { Items?: { Header: string; Value: string }[] };
}
