import { expect } from 'chai';
import { localContentSecurityPolicy, portalResponseHeadersFrom } from '../../../src/cloud/portal-headers';
import { type CloudFormationTemplate, createStack } from '../../../src/templates/stack';

// The api's response headers policy as its packaged template declares it (abridged), read locally.
const TEMPLATE = {
  Conditions: { HasCustomDomain: { 'Fn::Equals': ['', 'x'] } },
  Resources: {
    ApiGatewayRestApi: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
    PortalResponseHeadersPolicy: {
      Type: 'AWS::CloudFront::ResponseHeadersPolicy',
      Properties: {
        ResponseHeadersPolicyConfig: {
          SecurityHeadersConfig: {
            ContentSecurityPolicy: {
              Override: true,
              ContentSecurityPolicy: {
                'Fn::Join': [
                  '; ',
                  [
                    "default-src 'none'",
                    "script-src 'self'",
                    "img-src 'self' data: blob: https://sp-000000000000-us-east-1-local-images.s3.us-east-1.amazonaws.com",
                    {
                      'Fn::Join': [
                        ' ',
                        [
                          "connect-src 'self'",
                          {
                            'Fn::If': [
                              'HasCustomDomain',
                              'https://api.example.com',
                              {
                                'Fn::Sub':
                                  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
                                  'https://${ApiGatewayRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}',
                              },
                            ],
                          },
                          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
                          { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}' },
                          'https://sp-000000000000-us-east-1-local-images.s3.us-east-1.amazonaws.com',
                        ],
                      ],
                    },
                    "frame-ancestors 'none'",
                  ],
                ],
              },
            },
            StrictTransportSecurity: {
              Override: true,
              AccessControlMaxAgeSec: 63072000,
              IncludeSubdomains: true,
            },
            ContentTypeOptions: { Override: true },
            FrameOptions: { Override: true, FrameOption: 'DENY' },
            ReferrerPolicy: { Override: true, ReferrerPolicy: 'strict-origin-when-cross-origin' },
          },
          CustomHeadersConfig: { Items: [{ Header: 'X-Portal', Value: 'thermostats', Override: true }] },
        },
      },
    },
  },
} as unknown as CloudFormationTemplate;

describe('the portal’s response headers, from the template', () => {
  it('sends what CloudFront sends, with the CSP’s AWS origins made local', () => {
    const stack = createStack('api', 'serverless-patterns-api-local', TEMPLATE, {
      region: 'us-east-1',
      exports: new Map(),
    });
    stack.context.refs.set('ApiGatewayRestApi', 'api-id');

    const headers = portalResponseHeadersFrom(stack, { s3Origin: 'http://127.0.0.1:4569' });

    expect(headers).to.deep.equal({
      'content-security-policy':
        "default-src 'none'; script-src 'self'; img-src 'self' data: blob: http://127.0.0.1:4569; " +
        "connect-src 'self' http://127.0.0.1:4569; frame-ancestors 'none'",
      'strict-transport-security': 'max-age=63072000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
      'x-portal': 'thermostats',
    });
  });

  it('sends nothing for a stack without a response headers policy', () => {
    const stack = createStack(
      'ops',
      'ops-local',
      { Resources: {} },
      { region: 'us-east-1', exports: new Map() },
    );
    expect(portalResponseHeadersFrom(stack, { s3Origin: 'http://127.0.0.1:1' })).to.deep.equal({});
  });

  it('maps virtual-hosted and path-style S3 origins once, and keeps origins that are not AWS’s', () => {
    expect(
      localContentSecurityPolicy(
        "img-src 'self' https://b.s3.amazonaws.com https://s3.eu-west-1.amazonaws.com https://cdn.example.com",
        'http://127.0.0.1:9',
      ),
    ).to.equal("img-src 'self' http://127.0.0.1:9 https://cdn.example.com");
  });
});
